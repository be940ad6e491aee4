import type { Metadata } from "next";
import { requireAdminPage } from "@/lib/admin/next";
import { Card, PageHeader } from "../../../_components/ui";
import { AgentForm } from "../AgentForm";

export const metadata: Metadata = { title: "New agent" };

export default async function NewAgentPage() {
  const admin = await requireAdminPage("/admin/agents/new");
  return (
    <>
      <PageHeader title="New agent" back={{ href: "/admin/agents", label: "Agents" }} />
      <Card>
        <AgentForm csrf={admin.csrfToken} />
      </Card>
    </>
  );
}

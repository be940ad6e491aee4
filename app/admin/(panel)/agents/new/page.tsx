import type { Metadata } from "next";
import { Card, PageHeader } from "@/app/admin/_components/ui";
import { AgentForm } from "@/app/admin/(panel)/agents/AgentForm";
import { requireAdminPage } from "@/lib/admin/next";
import { availableModels } from "@/lib/agents/models";

export const metadata: Metadata = { title: "New agent" };

export default async function NewAgentPage() {
  const admin = await requireAdminPage("/admin/agents/new");
  return (
    <>
      <PageHeader title="New agent" back={{ href: "/admin/agents", label: "Agents" }} />
      <Card>
        <AgentForm csrf={admin.csrfToken} models={await availableModels()} />
      </Card>
    </>
  );
}

import type { Metadata } from "next";
import { requireAdminPage } from "@/lib/admin/next";
import { Card, PageHeader } from "../../../_components/ui";
import { ToolForm } from "../ToolForm";

export const metadata: Metadata = { title: "New tool" };

export default async function NewToolPage() {
  const admin = await requireAdminPage("/admin/tools/new");
  return (
    <>
      <PageHeader title="New tool" back={{ href: "/admin/tools", label: "Tools" }} />
      <Card>
        <ToolForm csrf={admin.csrfToken} />
      </Card>
    </>
  );
}

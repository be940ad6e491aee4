import type { Metadata } from "next";
import { Card, PageHeader } from "@/app/admin/_components/ui";
import { ToolForm } from "@/app/admin/(panel)/tools/ToolForm";
import { requireAdminPage } from "@/lib/admin/next";

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

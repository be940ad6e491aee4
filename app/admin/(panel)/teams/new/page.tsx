import type { Metadata } from "next";
import { Card, PageHeader } from "@/app/admin/_components/ui";
import { TeamForm } from "@/app/admin/(panel)/teams/TeamForm";
import { requireAdminPage } from "@/lib/admin/next";
import { TEAM_PROCESSES } from "@/lib/contract/schemas";
import { listAgents } from "@/lib/db/agents";
import { listTools } from "@/lib/db/tools";

export const metadata: Metadata = { title: "New team" };

export default async function NewTeamPage() {
  const admin = await requireAdminPage("/admin/teams/new");
  const [agents, tools] = await Promise.all([listAgents(), listTools()]);
  return (
    <>
      <PageHeader title="New team" back={{ href: "/admin/teams", label: "Teams" }} />
      <Card>
        <TeamForm csrf={admin.csrfToken} agents={agents} tools={tools} processes={TEAM_PROCESSES} />
      </Card>
    </>
  );
}

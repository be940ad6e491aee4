import type { Metadata } from "next";
import Link from "next/link";
import { Badge, ButtonLink, Notice, PageHeader, Table, td } from "@/app/admin/_components/ui";
import { requireAdminPage } from "@/lib/admin/next";
import { listTeams } from "@/lib/db/teams";

export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  await requireAdminPage("/admin/teams");
  const { deleted } = await searchParams;
  const teams = await listTeams();
  return (
    <>
      <PageHeader
        title="Teams"
        subtitle="Presets of agents that people pick for a chat: the default team is what every new chat starts with."
        actions={
          <ButtonLink href="/admin/teams/new" testId="new-team-button">
            New team
          </ButtonLink>
        }
      />
      {deleted === "1" && <Notice>The team was deleted.</Notice>}
      <Table testId="teams-table" head={["Name", "Members", "Process", "Default"]} empty={teams.length === 0}>
        {teams.map((t) => (
          <tr key={t.id} data-testid="team-row" data-name={t.name} className="hover:bg-subtle/60">
            <td className={td}>
              <Link href={`/admin/teams/${t.id}`} className="font-medium text-primary-ink hover:underline">
                {t.name}
              </Link>
              {t.description && <p className="mt-0.5 text-xs text-muted">{t.description}</p>}
            </td>
            <td className={td} data-testid="team-members-cell">
              {t.members.map((m) => m.agent.name).join(" → ")}
            </td>
            <td className={td}>{t.process}</td>
            <td className={td}>
              {t.isDefault ? (
                <Badge tone="blue" testId="default-badge">
                  default
                </Badge>
              ) : (
                <span className="text-muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

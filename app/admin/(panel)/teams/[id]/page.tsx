import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ActionForm, ConfirmForm, SubmitButton } from "@/app/admin/_components/forms";
import { idOf } from "@/app/admin/_components/params";
import { Badge, Card, DetailColumns, Dl, Notice, PageHeader, when } from "@/app/admin/_components/ui";
import { TeamForm } from "@/app/admin/(panel)/teams/TeamForm";
import { defaultTeamAction, deleteTeamAction } from "@/app/admin/actions";
import { requireAdminPage } from "@/lib/admin/next";
import { TEAM_PROCESSES } from "@/lib/contract/schemas";
import { listAgents } from "@/lib/db/agents";
import { getTeam } from "@/lib/db/teams";
import { listTools } from "@/lib/db/tools";

export const metadata: Metadata = { title: "Team" };

export default async function TeamPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { id: raw } = await params;
  const admin = await requireAdminPage(`/admin/teams/${raw}`);
  const id = idOf(raw);
  const [team, agents, tools] = await Promise.all([id ? getTeam(id) : null, listAgents(), listTools()]);
  if (!team) notFound();
  const { created } = await searchParams;
  // A team saved before a process was retired still shows (and keeps) its process.
  const processes = TEAM_PROCESSES.some((p) => p === team.process) ? TEAM_PROCESSES : [...TEAM_PROCESSES, team.process];
  return (
    <>
      <PageHeader
        title={team.name}
        subtitle={team.description}
        back={{ href: "/admin/teams", label: "Teams" }}
        actions={team.isDefault ? <Badge tone="blue">default</Badge> : undefined}
      />
      {created === "1" && <Notice>The team was created.</Notice>}
      <DetailColumns side="20rem">
        <Card title="Edit">
          <TeamForm
            csrf={admin.csrfToken}
            agents={agents}
            tools={tools}
            processes={processes}
            team={{
              ...team,
              members: team.members.map((m) => ({
                agentId: m.agentId,
                promptOverride: m.promptOverride,
                toolIds: m.tools.map((t) => t.id),
              })),
            }}
          />
        </Card>
        <div className="space-y-5">
          <Card title="Default">
            {team.isDefault ? (
              <p className="text-sm text-ink-soft" data-testid="is-default-note">
                New chats start with this team.
              </p>
            ) : (
              <ActionForm
                action={defaultTeamAction}
                csrf={admin.csrfToken}
                hidden={{ id: team.id }}
                testId="default-team-form"
              >
                <p className="text-sm text-ink-soft">New chats start with the default team.</p>
                <SubmitButton testId="make-default" kind="secondary" pendingText="Marking…">
                  Make this the default
                </SubmitButton>
              </ActionForm>
            )}
          </Card>
          <Card title="About">
            <Dl
              items={[
                ["Members", <span key="m">{team.members.length}</span>],
                ["Created", when(team.createdAt)],
                ["Updated", when(team.updatedAt)],
              ]}
            />
          </Card>
          <Card title="Delete">
            <p className="mb-3 text-sm text-ink-soft">
              {team.isDefault
                ? "This is the default team: make another team the default before deleting it."
                : "Chats that use it keep their agents."}
            </p>
            <ConfirmForm
              action={deleteTeamAction}
              csrf={admin.csrfToken}
              hidden={{ id: team.id }}
              label="Delete team…"
              title={`Delete the team “${team.name}”?`}
              body="This cannot be undone."
              confirmLabel="Delete"
              testId="delete-team"
            />
          </Card>
        </div>
      </DetailColumns>
    </>
  );
}

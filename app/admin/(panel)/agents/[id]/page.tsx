import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConfirmForm } from "@/app/admin/_components/forms";
import { idOf } from "@/app/admin/_components/params";
import { ActiveBadge, Card, DetailColumns, Dl, Notice, PageHeader, when } from "@/app/admin/_components/ui";
import { AgentForm } from "@/app/admin/(panel)/agents/AgentForm";
import { deleteAgentAction } from "@/app/admin/actions";
import { requireAdminPage } from "@/lib/admin/next";
import { availableModels } from "@/lib/agents/models";
import { getAgent } from "@/lib/db/agents";

export const metadata: Metadata = { title: "Agent" };

export default async function AgentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { id: raw } = await params;
  const admin = await requireAdminPage(`/admin/agents/${raw}`);
  const id = idOf(raw);
  const agent = id ? await getAgent(id) : null;
  if (!agent) notFound();
  const { created } = await searchParams;
  return (
    <>
      <PageHeader
        title={agent.name}
        subtitle={agent.role}
        back={{ href: "/admin/agents", label: "Agents" }}
        actions={<ActiveBadge active={agent.isActive} />}
      />
      {created === "1" && <Notice>The agent was created.</Notice>}
      <DetailColumns side="20rem">
        <Card title="Edit">
          <AgentForm csrf={admin.csrfToken} agent={agent} models={await availableModels()} />
        </Card>
        <div className="space-y-5">
          <Card title="Usage">
            <Dl
              items={[
                ["Sessions", <span key="s">{agent._count.assignments}</span>],
                ["Messages", <span key="m">{agent._count.messages}</span>],
                [
                  "Runs",
                  <Link
                    key="r"
                    className="text-primary-ink hover:underline"
                    href={`/admin/runs?agent=${encodeURIComponent(agent.name)}`}
                  >
                    Runs it took part in →
                  </Link>,
                ],
                ["Created", when(agent.createdAt)],
                ["Updated", when(agent.updatedAt)],
              ]}
            />
          </Card>
          <Card title="Delete">
            <p className="mb-3 text-sm text-ink-soft">
              {agent._count.assignments > 0
                ? `Assigned to ${agent._count.assignments} session(s): remove it from them first, or make it inactive.`
                : "Its messages and run logs stay, without an agent."}
            </p>
            <ConfirmForm
              action={deleteAgentAction}
              csrf={admin.csrfToken}
              hidden={{ id: agent.id }}
              label="Delete agent…"
              title={`Delete the agent “${agent.name}”?`}
              body="This cannot be undone."
              confirmLabel="Delete"
              testId="delete-agent"
            />
          </Card>
        </div>
      </DetailColumns>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import {
  ActionForm,
  CheckboxGroup,
  ConfirmForm,
  SelectField,
  SubmitButton,
  TextArea,
  TextField,
} from "@/app/admin/_components/forms";
import { ActiveBadge, ButtonLink, Card, DetailColumns, Dl, PageHeader, when } from "@/app/admin/_components/ui";
import {
  addAssignmentAction,
  deleteSessionAction,
  removeAssignmentAction,
  saveAssignmentAction,
  saveSessionAction,
} from "@/app/admin/actions";
import { requireAdminPage } from "@/lib/admin/next";
import { builtinTools } from "@/lib/agents/tools";
import { displayTitle } from "@/lib/client/format";
import { listAgents } from "@/lib/db/agents";
import { getSession, sessionCounts } from "@/lib/db/sessions";
import { listTools } from "@/lib/db/tools";

export const metadata: Metadata = { title: "Session" };

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export default async function SessionPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId: raw } = await params;
  const sessionId = safeDecode(raw);
  const admin = await requireAdminPage(`/admin/sessions/${encodeURIComponent(sessionId)}`);
  const session = await getSession(sessionId);
  if (!session) notFound();
  const [counts, agents, tools] = await Promise.all([sessionCounts(session.id), listAgents(), listTools()]);
  const csrf = admin.csrfToken;
  const assigned = new Set(session.assignments.map((a) => a.agentId));
  const available = agents.filter((a) => !assigned.has(a.id));
  const nextOrder = Math.max(-1, ...session.assignments.map((a) => a.order)) + 1;
  const toolOptions = (prefix: string) =>
    tools.map((t) => ({
      value: String(t.id),
      testId: `${prefix}-tool-${t.name}`,
      label: (
        <span className={t.isActive ? "" : "text-muted line-through"}>
          <code className="font-mono text-xs">{t.name}</code>
          {!builtinTools.has(t.name) && <span className="ml-1 text-xs text-secondary-ink">(no implementation)</span>}
        </span>
      ),
    }));
  const q = encodeURIComponent(session.sessionId);

  return (
    <>
      <PageHeader
        title={displayTitle(session.title) || "Untitled session"}
        subtitle={<code className="font-mono text-xs">{session.sessionId}</code>}
        back={{ href: "/admin/sessions", label: "Sessions" }}
        actions={
          <>
            <ButtonLink href={`/admin/messages?session=${q}`} kind="secondary" testId="session-messages-link">
              Messages ({counts.messages})
            </ButtonLink>
            <ButtonLink href={`/admin/runs?session=${q}`} kind="secondary" testId="session-runs-link">
              Runs ({counts.runs})
            </ButtonLink>
            <ButtonLink href={`/c/${q}`} kind="amber">
              Open in chat
            </ButtonLink>
          </>
        }
      />
      <DetailColumns side="22rem">
        <div className="space-y-5">
          <Card title={`Assigned agents (${session.assignments.length})`} testId="assignments">
            <p className="mb-4 text-sm text-muted">
              They take their turns in this order on every message; inactive agents are skipped.
            </p>
            <ol className="space-y-4">
              {session.assignments.map((a) => (
                <li
                  key={a.id}
                  data-testid="assignment"
                  data-agent={a.agent.name}
                  className="rounded-control border border-line bg-page p-4"
                >
                  <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
                    <div className="flex items-center gap-2">
                      <Link
                        href={`/admin/agents/${a.agentId}`}
                        className="font-semibold text-primary-ink hover:underline"
                      >
                        {a.agent.name}
                      </Link>
                      <span className="text-sm text-muted">{a.agent.role}</span>
                      {!a.agent.isActive && <ActiveBadge active={false} />}
                    </div>
                    <ConfirmForm
                      action={removeAssignmentAction}
                      csrf={csrf}
                      hidden={{ session_id: session.sessionId, assignment_id: a.id }}
                      label="Remove"
                      title={`Remove ${a.agent.name} from this session?`}
                      body="Its earlier messages stay; it takes no further turns here."
                      confirmLabel="Remove"
                      testId={`remove-${a.agent.name}`}
                      compact
                    />
                  </div>
                  <ActionForm
                    action={saveAssignmentAction}
                    csrf={csrf}
                    hidden={{ session_id: session.sessionId, assignment_id: a.id }}
                    testId={`assignment-form-${a.agent.name}`}
                  >
                    <div className="grid gap-4 sm:grid-cols-[8rem_1fr]">
                      <TextField name="order" label="Order" type="number" defaultValue={a.order} />
                      <TextArea
                        name="prompt_override"
                        label="Prompt override"
                        hint="— added to the system prompt in this session"
                        defaultValue={a.promptOverride}
                        rows={2}
                      />
                    </div>
                    <CheckboxGroup
                      name="tools"
                      label="Tools"
                      options={toolOptions(a.agent.name)}
                      defaultValues={a.tools.map((t) => String(t.id))}
                    />
                    <SubmitButton testId={`assignment-save-${a.agent.name}`} kind="secondary">
                      Save {a.agent.name}
                    </SubmitButton>
                  </ActionForm>
                </li>
              ))}
            </ol>
            {session.assignments.length === 0 && (
              <p className="text-sm text-muted">No agents: a message to this session gets no answer.</p>
            )}
          </Card>
          <Card title="Assign an agent" testId="add-assignment">
            {available.length === 0 ? (
              <p className="text-sm text-muted">Every agent is already assigned.</p>
            ) : (
              <ActionForm
                action={addAssignmentAction}
                csrf={csrf}
                hidden={{ session_id: session.sessionId }}
                testId="add-assignment-form"
              >
                <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
                  <SelectField
                    name="agent"
                    label="Agent"
                    options={available.map((a) => [
                      String(a.id),
                      `${a.name} — ${a.role}${a.isActive ? "" : " (inactive)"}`,
                    ])}
                  />
                  <TextField name="order" label="Order" type="number" defaultValue={nextOrder} />
                </div>
                <TextArea name="prompt_override" label="Prompt override" hint="— optional" rows={2} />
                <CheckboxGroup name="tools" label="Tools" options={toolOptions("new")} defaultValues={[]} />
                <SubmitButton testId="add-assignment-submit">Assign agent</SubmitButton>
              </ActionForm>
            )}
          </Card>
        </div>
        <div className="space-y-5">
          <Card title="Details">
            <ActionForm
              action={saveSessionAction}
              csrf={csrf}
              hidden={{ session_id: session.sessionId }}
              testId="session-form"
            >
              <TextField name="title" label="Title" defaultValue={session.title} />
              <TextField name="user_id" label="User id" defaultValue={session.userId} />
              <TextArea
                name="metadata"
                label="Metadata"
                hint="— a JSON object, or empty"
                defaultValue={session.metadata == null ? "" : JSON.stringify(session.metadata, null, 2)}
                rows={5}
                mono
              />
              <SubmitButton testId="session-save">Save</SubmitButton>
            </ActionForm>
            <div className="mt-5 border-t border-line pt-4">
              <Dl
                items={[
                  ["Created", when(session.createdAt)],
                  ["Updated", when(session.updatedAt)],
                  ["Run", session.activeRunId ? `#${session.activeRunId} running` : "idle"],
                ]}
              />
            </div>
          </Card>
          <Card title="Delete">
            <p className="mb-3 text-sm text-ink-soft">
              Deletes the session with its {counts.messages} messages and {counts.runs} runs; a running run is stopped
              first.
            </p>
            <ConfirmForm
              action={deleteSessionAction}
              csrf={csrf}
              hidden={{ session_id: session.sessionId }}
              label="Delete session…"
              title="Delete this session?"
              body={`“${displayTitle(session.title) || session.sessionId}” and its ${counts.messages} messages and ${counts.runs} runs are deleted. This cannot be undone.`}
              confirmLabel="Delete session"
              testId="delete-session"
            />
          </Card>
        </div>
      </DetailColumns>
    </>
  );
}

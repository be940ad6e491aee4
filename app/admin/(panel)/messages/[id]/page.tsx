import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { idOf } from "@/app/admin/_components/params";
import { Badge, Card, DetailColumns, Dl, Json, PageHeader, when } from "@/app/admin/_components/ui";
import { requireAdminPage } from "@/lib/admin/next";
import { getMessageDetail } from "@/lib/db/messages";

export const metadata: Metadata = { title: "Message" };

export default async function MessagePage({ params }: { params: Promise<{ id: string }> }) {
  const { id: raw } = await params;
  await requireAdminPage(`/admin/messages/${raw}`);
  const id = idOf(raw);
  const m = id ? await getMessageDetail(id) : null;
  if (!m) notFound();
  const runId = (m.metadata as { run_id?: unknown } | null)?.run_id;
  return (
    <>
      <PageHeader
        title={`Message #${m.id}`}
        subtitle={`${m.role}${m.agent ? ` · ${m.agent.name}` : ""}`}
        back={{ href: "/admin/messages", label: "Messages" }}
      />
      <DetailColumns side="22rem">
        <div className="space-y-5">
          <Card title="Content">
            {m.content ? (
              <pre
                className="whitespace-pre-wrap break-words font-sans text-sm leading-relaxed text-ink"
                data-testid="message-detail-content"
              >
                {m.content}
              </pre>
            ) : (
              <p className="text-sm text-muted">No text.</p>
            )}
          </Card>
          {(m.toolName || m.toolInput != null || m.toolOutput != null) && (
            <Card
              title={
                <>
                  Tool call <code className="ml-1 font-mono text-xs text-secondary-ink">{m.toolName}</code>
                </>
              }
              testId="tool-call"
            >
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">Input</h3>
              <Json value={m.toolInput} testId="tool-input" />
              <h3 className="mb-1 mt-4 text-xs font-semibold uppercase tracking-wide text-muted">Output</h3>
              <Json value={m.toolOutput} testId="tool-output" />
            </Card>
          )}
          <Card title="Metadata">
            <Json value={m.metadata} />
          </Card>
        </div>
        <Card title="Details">
          <Dl
            items={[
              ["Role", <Badge key="r">{m.role}</Badge>],
              [
                "Session",
                <Link
                  key="s"
                  className="font-mono text-xs text-primary-ink hover:underline"
                  href={`/admin/sessions/${encodeURIComponent(m.session.sessionId)}`}
                >
                  {m.session.sessionId}
                </Link>,
              ],
              [
                "Agent",
                m.agent ? (
                  <Link key="a" className="text-primary-ink hover:underline" href={`/admin/agents/${m.agent.id}`}>
                    {m.agent.name}
                  </Link>
                ) : (
                  "—"
                ),
              ],
              [
                "Run",
                typeof runId === "number" ? (
                  <Link key="run" className="text-primary-ink hover:underline" href={`/admin/runs/${runId}`}>
                    #{runId}
                  </Link>
                ) : (
                  "—"
                ),
              ],
              ["Prompt tokens", m.tokensPrompt ?? "—"],
              ["Completion tokens", m.tokensCompletion ?? "—"],
              ["Latency", m.latencyMs != null ? `${m.latencyMs} ms` : "—"],
              ["Created", when(m.createdAt)],
              ["Updated", when(m.updatedAt)],
            ]}
          />
        </Card>
      </DetailColumns>
    </>
  );
}

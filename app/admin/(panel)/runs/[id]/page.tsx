import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { idOf } from "@/app/admin/_components/params";
import { plainPreview } from "@/app/admin/_components/preview";
import {
  Badge,
  Card,
  DetailColumns,
  Dl,
  Json,
  PageHeader,
  StatusBadge,
  Table,
  td,
  when,
} from "@/app/admin/_components/ui";
import { requireAdminPage } from "@/lib/admin/next";
import { runMessages } from "@/lib/db/messages";
import { getRunDetail } from "@/lib/db/runs";

export const metadata: Metadata = { title: "Run" };

interface AgentMetrics {
  agent?: string;
  model?: string;
  tokens_prompt?: number;
  tokens_completion?: number;
  latency_ms?: number;
  steps?: number;
  tool_calls?: number;
}
type Extra = {
  duration_ms?: number;
  tokens_prompt?: number;
  tokens_completion?: number;
  agents?: AgentMetrics[];
  messages?: number[];
  error?: string;
} | null;

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: raw } = await params;
  await requireAdminPage(`/admin/runs/${raw}`);
  const id = idOf(raw);
  const run = id ? await getRunDetail(id) : null;
  if (!run) notFound();
  const extra = run.extra as Extra;
  const messages = await runMessages(
    Array.isArray(extra?.messages) ? extra.messages.filter((n) => Number.isSafeInteger(n)) : [],
  );
  return (
    <>
      <PageHeader
        title={`Run #${run.id}`}
        subtitle={run.details}
        back={{ href: "/admin/runs", label: "Runs" }}
        actions={<StatusBadge status={run.status} />}
      />
      <DetailColumns side="22rem">
        <div className="space-y-5">
          <Card title="Agents" testId="run-metrics">
            {extra?.agents?.length ? (
              <Table head={["Agent", "Model", "Prompt tokens", "Completion tokens", "Latency", "Steps", "Tool calls"]}>
                {extra.agents.map((a, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the run's agents in run order, read-only; an agent name is not guaranteed to appear once.
                  <tr key={i} data-testid="run-agent-row" data-agent={a.agent}>
                    <td className={`${td} font-medium text-ink`}>{a.agent}</td>
                    <td className={td}>
                      <code className="font-mono text-xs">{a.model}</code>
                    </td>
                    <td className={td}>{a.tokens_prompt ?? "—"}</td>
                    <td className={td}>{a.tokens_completion ?? "—"}</td>
                    <td className={td}>{a.latency_ms != null ? `${a.latency_ms} ms` : "—"}</td>
                    <td className={td}>{a.steps ?? "—"}</td>
                    <td className={td}>{a.tool_calls ?? "—"}</td>
                  </tr>
                ))}
              </Table>
            ) : (
              <p className="text-sm text-muted">No agent metrics recorded{run.status === "running" ? " yet" : ""}.</p>
            )}
          </Card>
          <Card title={`Messages (${messages.length})`} testId="run-messages">
            <ol className="space-y-2">
              {messages.map((m) => (
                <li
                  key={m.id}
                  data-testid="run-message"
                  data-role={m.role}
                  data-tool={m.toolName || undefined}
                  className="flex gap-2 text-sm"
                >
                  <Link
                    href={`/admin/messages/${m.id}`}
                    className="shrink-0 font-medium text-primary-ink hover:underline"
                  >
                    #{m.id}
                  </Link>
                  <Badge tone={m.role === "tool" ? "amber" : m.role === "user" ? "blue" : "green"}>{m.role}</Badge>
                  <span className="text-muted">{m.agent?.name}</span>
                  {m.toolName && <code className="font-mono text-xs text-secondary-ink">{m.toolName}</code>}
                  <span className="line-clamp-1 min-w-0 text-ink-soft">{plainPreview(m.content, 200)}</span>
                </li>
              ))}
            </ol>
            {messages.length === 0 && <p className="text-sm text-muted">None recorded.</p>}
          </Card>
          <Card title="Extra (raw)">
            <Json value={run.extra} testId="run-extra" />
          </Card>
        </div>
        <Card title="Details">
          <Dl
            items={[
              ["Status", <StatusBadge key="s" status={run.status} />],
              [
                "Session",
                <Link
                  key="sess"
                  className="font-mono text-xs text-primary-ink hover:underline"
                  href={`/admin/sessions/${encodeURIComponent(run.session.sessionId)}`}
                >
                  {run.session.sessionId}
                </Link>,
              ],
              ["Duration", extra?.duration_ms != null ? `${extra.duration_ms} ms` : "—"],
              ["Prompt tokens", extra?.tokens_prompt ?? "—"],
              ["Completion tokens", extra?.tokens_completion ?? "—"],
              ["Details", run.details || "—"],
              ["Instance", run.instanceId || "—"],
              ["Started", when(run.createdAt)],
              ["Updated", when(run.updatedAt)],
            ]}
          />
        </Card>
      </DetailColumns>
    </>
  );
}

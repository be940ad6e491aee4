import type { Metadata } from "next";
import Link from "next/link";
import { oneOf, pageOf, param, type SearchParams, withQuery } from "@/app/admin/_components/params";
import { FilterBar, PageHeader, Pagination, StatusBadge, Table, td, when } from "@/app/admin/_components/ui";
import { requireAdminPage } from "@/lib/admin/next";
import { listAgents } from "@/lib/db/agents";
import { listRunsPage } from "@/lib/db/runs";

export const metadata: Metadata = { title: "Runs" };

const STATUSES = ["running", "success", "error", "cancelled"] as const;

type Extra = {
  duration_ms?: number;
  tokens_prompt?: number;
  tokens_completion?: number;
  agents?: Array<{ agent?: string }>;
} | null;

export default async function RunsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  await requireAdminPage(withQuery("/admin/runs", params));
  const status = oneOf(param(params, "status"), STATUSES);
  const session = param(params, "session", 64);
  const agent = param(params, "agent", 64);
  const { page, limit, offset } = pageOf(params);
  const [{ rows, total }, agents] = await Promise.all([
    listRunsPage({ status, session, agent, limit, offset }),
    listAgents(),
  ]);
  return (
    <>
      <PageHeader
        title="Runs"
        subtitle="One run per message sent: which agents answered, how long it took, what it cost."
      />
      <FilterBar
        action="/admin/runs"
        filters={[
          { name: "status", label: "Status", value: status, options: STATUSES.map((s) => [s, s]) },
          { name: "agent", label: "Agent", value: agent, options: agents.map((a) => [a.name, a.name]) },
          { name: "session", label: "Session id", value: session },
        ]}
      />
      <Table
        testId="runs-table"
        head={["#", "Session", "Status", "Agents", "Duration", "Tokens", "Details", "Started"]}
        empty={rows.length === 0}
      >
        {rows.map((r) => {
          const extra = r.extra as Extra;
          const names =
            extra?.agents
              ?.map((a) => a.agent)
              .filter(Boolean)
              .join(", ") ||
            r.agent?.name ||
            "—";
          return (
            <tr key={r.id} data-testid="run-row" data-status={r.status} className="hover:bg-subtle/60">
              <td className={td}>
                <Link href={`/admin/runs/${r.id}`} className="font-medium text-primary-ink hover:underline">
                  {r.id}
                </Link>
              </td>
              <td className={td}>
                <Link
                  href={`/admin/sessions/${encodeURIComponent(r.session.sessionId)}`}
                  className="font-mono text-xs text-primary-ink hover:underline"
                >
                  {r.session.sessionId}
                </Link>
              </td>
              <td className={td}>
                <StatusBadge status={r.status} />
              </td>
              <td className={td} data-testid="run-agents">
                {names}
              </td>
              <td className={`${td} whitespace-nowrap`}>
                {extra?.duration_ms != null ? `${extra.duration_ms} ms` : "—"}
              </td>
              <td className={`${td} whitespace-nowrap`}>
                {extra?.tokens_prompt != null ? (extra.tokens_prompt ?? 0) + (extra.tokens_completion ?? 0) : "—"}
              </td>
              <td className={`${td} max-w-xs`}>
                <span className="line-clamp-2">{r.details}</span>
              </td>
              <td className={`${td} whitespace-nowrap text-xs`}>{when(r.createdAt)}</td>
            </tr>
          );
        })}
      </Table>
      <Pagination
        basePath="/admin/runs"
        params={{ status, session, agent }}
        page={page}
        perPage={limit}
        total={total}
      />
    </>
  );
}

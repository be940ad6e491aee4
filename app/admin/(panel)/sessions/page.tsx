import type { Metadata } from "next";
import Link from "next/link";
import { pageOf, param, type SearchParams, withQuery } from "@/app/admin/_components/params";
import { FilterBar, Notice, PageHeader, Pagination, Table, td, when } from "@/app/admin/_components/ui";
import { requireAdminPage } from "@/lib/admin/next";
import { displayTitle } from "@/lib/client/format";
import { listSessionsPage } from "@/lib/db/sessions";

export const metadata: Metadata = { title: "Sessions" };

export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  await requireAdminPage(withQuery("/admin/sessions", params));
  const q = param(params, "q");
  const { page, limit, offset } = pageOf(params);
  const { rows, total } = await listSessionsPage({ q, limit, offset });
  return (
    <>
      <PageHeader title="Sessions" subtitle="Conversations, newest first, with the agents assigned to each." />
      {params.deleted === "1" && <Notice>The session was deleted with its messages and runs.</Notice>}
      <FilterBar
        action="/admin/sessions"
        filters={[{ name: "q", label: "Search session id, title, user id", value: q, search: true }]}
      />
      <Table
        testId="sessions-table"
        head={["Session", "Title", "User", "Agents", "Messages", "Runs", "Created"]}
        empty={rows.length === 0}
      >
        {rows.map((s) => (
          <tr key={s.id} data-testid="session-row" data-session-id={s.sessionId} className="hover:bg-subtle/60">
            <td className={td}>
              <Link
                href={`/admin/sessions/${encodeURIComponent(s.sessionId)}`}
                className="font-mono text-xs font-semibold text-primary-ink hover:underline"
              >
                {s.sessionId}
              </Link>
            </td>
            <td className={`${td} max-w-xs truncate`}>
              {displayTitle(s.title) || <span className="text-muted">Untitled</span>}
            </td>
            <td className={td}>{s.userId || <span className="text-muted">—</span>}</td>
            <td className={td}>
              {s.assignments.map((a) => a.agent.name).join(" → ") || <span className="text-muted">none</span>}
            </td>
            <td className={td}>{s._count.messages}</td>
            <td className={td}>{s._count.runLogs}</td>
            <td className={`${td} whitespace-nowrap text-xs`}>{when(s.createdAt)}</td>
          </tr>
        ))}
      </Table>
      <Pagination basePath="/admin/sessions" params={{ q }} page={page} perPage={limit} total={total} />
    </>
  );
}

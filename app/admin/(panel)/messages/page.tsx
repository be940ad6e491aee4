import type { Metadata } from "next";
import Link from "next/link";
import { oneOf, pageOf, param, type SearchParams, withQuery } from "@/app/admin/_components/params";
import { plainPreview } from "@/app/admin/_components/preview";
import { Badge, FilterBar, PageHeader, Pagination, Table, td, when } from "@/app/admin/_components/ui";
import { requireAdminPage } from "@/lib/admin/next";
import { listMessagesPage } from "@/lib/db/messages";

export const metadata: Metadata = { title: "Messages" };

const ROLES = ["user", "agent", "system", "tool"] as const;
const roleTone = { user: "blue", agent: "green", system: "gray", tool: "amber" } as const;

export default async function MessagesPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  await requireAdminPage(withQuery("/admin/messages", params));
  const q = param(params, "q");
  const role = oneOf(param(params, "role"), ROLES);
  const session = param(params, "session", 64);
  const { page, limit, offset } = pageOf(params);
  const { rows, total } = await listMessagesPage({ q, role, session, limit, offset });
  return (
    <>
      <PageHeader
        title="Messages"
        subtitle="Every message of every session, newest first: user turns, agent answers and tool calls."
      />
      <FilterBar
        action="/admin/messages"
        filters={[
          { name: "q", label: "Search content, tool name", value: q, search: true },
          { name: "role", label: "Role", value: role, options: ROLES.map((r) => [r, r]) },
          { name: "session", label: "Session id", value: session },
        ]}
      />
      <Table
        testId="messages-table"
        head={["#", "Session", "Role", "Agent", "Content", "Tokens", "Latency", "Created"]}
        empty={rows.length === 0}
      >
        {rows.map((m) => (
          <tr key={m.id} data-testid="message-row" data-role={m.role} className="hover:bg-subtle/60">
            <td className={td}>
              <Link href={`/admin/messages/${m.id}`} className="font-medium text-primary-ink hover:underline">
                {m.id}
              </Link>
            </td>
            <td className={td}>
              <Link
                href={`/admin/sessions/${encodeURIComponent(m.session.sessionId)}`}
                className="font-mono text-xs text-primary-ink hover:underline"
              >
                {m.session.sessionId}
              </Link>
            </td>
            <td className={td}>
              <Badge tone={roleTone[m.role]}>{m.role}</Badge>
            </td>
            <td className={td}>{m.agent?.name ?? <span className="text-muted">—</span>}</td>
            <td className={`${td} max-w-md`} data-testid="message-content">
              {m.toolName ? <code className="mr-1.5 font-mono text-xs text-secondary-ink">{m.toolName}</code> : null}
              <span className="line-clamp-2">{plainPreview(m.content, 300)}</span>
            </td>
            <td className={`${td} whitespace-nowrap`}>
              {m.tokensPrompt != null || m.tokensCompletion != null
                ? `${m.tokensPrompt ?? 0} / ${m.tokensCompletion ?? 0}`
                : "—"}
            </td>
            <td className={`${td} whitespace-nowrap`}>{m.latencyMs != null ? `${m.latencyMs} ms` : "—"}</td>
            <td className={`${td} whitespace-nowrap text-xs`}>{when(m.createdAt)}</td>
          </tr>
        ))}
      </Table>
      <Pagination basePath="/admin/messages" params={{ q, role, session }} page={page} perPage={limit} total={total} />
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { activeFilter, pageOf, param, type SearchParams, withQuery } from "@/app/admin/_components/params";
import {
  ActiveBadge,
  activeOptions,
  Badge,
  ButtonLink,
  FilterBar,
  Notice,
  PageHeader,
  Pagination,
  Table,
  td,
} from "@/app/admin/_components/ui";
import { requireAdminPage } from "@/lib/admin/next";
import { listAgentsPage } from "@/lib/db/agents";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  await requireAdminPage(withQuery("/admin/agents", params));
  const q = param(params, "q");
  const active = param(params, "active");
  const { page, limit, offset } = pageOf(params);
  const { rows, total } = await listAgentsPage({ q, active: activeFilter(active), limit, offset });
  return (
    <>
      <PageHeader
        title="Agents"
        subtitle="Who takes a turn in a session: each agent's description is its system prompt."
        actions={
          <ButtonLink href="/admin/agents/new" testId="new-agent-button">
            New agent
          </ButtonLink>
        }
      />
      {params.deleted === "1" && <Notice>The agent was deleted.</Notice>}
      <FilterBar
        action="/admin/agents"
        filters={[
          { name: "q", label: "Search name, role, description", value: q, search: true },
          { name: "active", label: "Active", value: active, options: activeOptions },
        ]}
      />
      <Table testId="agents-table" head={["Name", "Role", "Model", "Status", "Sessions"]} empty={rows.length === 0}>
        {rows.map((a) => (
          <tr key={a.id} data-testid="agent-row" data-name={a.name} className="hover:bg-subtle/60">
            <td className={td}>
              <Link href={`/admin/agents/${a.id}`} className="font-medium text-primary-ink hover:underline">
                {a.name}
              </Link>
            </td>
            <td className={td}>{a.role}</td>
            <td className={td}>
              {a.modelHint ? (
                <code className="font-mono text-xs">{a.modelHint}</code>
              ) : (
                <span className="text-muted">default</span>
              )}
            </td>
            <td className={td}>
              <ActiveBadge active={a.isActive} />
            </td>
            <td className={td}>
              {a._count.assignments > 0 ? (
                <Badge tone="blue">{a._count.assignments}</Badge>
              ) : (
                <span className="text-muted">0</span>
              )}
            </td>
          </tr>
        ))}
      </Table>
      <Pagination basePath="/admin/agents" params={{ q, active }} page={page} perPage={limit} total={total} />
    </>
  );
}

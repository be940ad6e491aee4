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
import { builtinTools } from "@/lib/agents/tools";
import { listToolsPage } from "@/lib/db/tools";

export const metadata: Metadata = { title: "Tools" };

export default async function ToolsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  await requireAdminPage(withQuery("/admin/tools", params));
  const q = param(params, "q");
  const active = param(params, "active");
  const { page, limit, offset } = pageOf(params);
  const { rows, total } = await listToolsPage({ q, active: activeFilter(active), limit, offset });
  return (
    <>
      <PageHeader
        title="Tools"
        subtitle="What agents may call. Only tools with an implementation in Tandem run; others are stored for later."
        actions={
          <ButtonLink href="/admin/tools/new" testId="new-tool-button">
            New tool
          </ButtonLink>
        }
      />
      {params.deleted === "1" && <Notice>The tool was deleted.</Notice>}
      <FilterBar
        action="/admin/tools"
        filters={[
          { name: "q", label: "Search name, description", value: q, search: true },
          { name: "active", label: "Active", value: active, options: activeOptions },
        ]}
      />
      <Table
        testId="tools-table"
        head={["Name", "Description", "Implementation", "Status", "Assignments"]}
        empty={rows.length === 0}
      >
        {rows.map((t) => (
          <tr key={t.id} data-testid="tool-row" data-name={t.name} className="hover:bg-subtle/60">
            <td className={td}>
              <Link
                href={`/admin/tools/${t.id}`}
                className="font-mono text-xs font-semibold text-primary-ink hover:underline"
              >
                {t.name}
              </Link>
            </td>
            <td className={`${td} max-w-md`}>
              <span className="line-clamp-2">{t.description || <span className="text-muted">—</span>}</span>
            </td>
            <td className={td} data-testid="tool-implementation">
              {builtinTools.has(t.name) ? <Badge tone="green">built in</Badge> : <Badge tone="amber">none</Badge>}
            </td>
            <td className={td}>
              <ActiveBadge active={t.isActive} />
            </td>
            <td className={td}>{t._count.assignments}</td>
          </tr>
        ))}
      </Table>
      <Pagination basePath="/admin/tools" params={{ q, active }} page={page} perPage={limit} total={total} />
    </>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ConfirmForm } from "@/app/admin/_components/forms";
import { idOf } from "@/app/admin/_components/params";
import { ActiveBadge, Badge, Card, DetailColumns, Dl, Notice, PageHeader, when } from "@/app/admin/_components/ui";
import { ToolForm } from "@/app/admin/(panel)/tools/ToolForm";
import { deleteToolAction } from "@/app/admin/actions";
import { requireAdminPage } from "@/lib/admin/next";
import { builtinTools } from "@/lib/agents/tools";
import { getTool } from "@/lib/db/tools";

export const metadata: Metadata = { title: "Tool" };

export default async function ToolPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { id: raw } = await params;
  const admin = await requireAdminPage(`/admin/tools/${raw}`);
  const id = idOf(raw);
  const tool = id ? await getTool(id) : null;
  if (!tool) notFound();
  const { created } = await searchParams;
  const builtin = builtinTools.has(tool.name);
  return (
    <>
      <PageHeader
        title={tool.name}
        back={{ href: "/admin/tools", label: "Tools" }}
        actions={<ActiveBadge active={tool.isActive} />}
      />
      {created === "1" && <Notice>The tool was created.</Notice>}
      <DetailColumns side="20rem">
        <Card title="Edit">
          <ToolForm csrf={admin.csrfToken} tool={tool} />
        </Card>
        <div className="space-y-5">
          <Card title="Implementation">
            <p className="text-sm text-ink-soft" data-testid="tool-implementation">
              {builtin ? (
                <>
                  <Badge tone="green">built in</Badge> Tandem runs this tool; its parameters come from the code (the
                  stored schema is refreshed at start).
                </>
              ) : (
                <>
                  <Badge tone="amber">none</Badge> No implementation with this name: agents are not offered it until one
                  exists.
                </>
              )}
            </p>
            <div className="mt-4">
              <Dl
                items={[
                  ["Assignments", String(tool._count.assignments)],
                  ["Created", when(tool.createdAt)],
                  ["Updated", when(tool.updatedAt)],
                ]}
              />
            </div>
          </Card>
          <Card title="Delete">
            <p className="mb-3 text-sm text-ink-soft">
              {builtin
                ? "A built-in tool's row comes back at the next start; make it inactive instead to stop its use."
                : "Sessions that use it simply lose it."}
            </p>
            <ConfirmForm
              action={deleteToolAction}
              csrf={admin.csrfToken}
              hidden={{ id: tool.id }}
              label="Delete tool…"
              title={`Delete the tool “${tool.name}”?`}
              body={`It is removed from ${tool._count.assignments} assignment(s). This cannot be undone.`}
              confirmLabel="Delete"
              testId="delete-tool"
            />
          </Card>
        </div>
      </DetailColumns>
    </>
  );
}

/** Tools: their rows, the admin's list and writes, and the seed's ensure. */
import type { Prisma } from "@/generated/sqlite/client";
import { db } from "./connection";
import { type AdminPage, containsText, ignoreDuplicate, type Json, json, missing, uniqueName } from "./orm";

export type ToolRow = Prisma.ToolGetPayload<object>;

export function listTools() {
  return db().tool.findMany({ orderBy: { id: "asc" } });
}

export interface ToolInput {
  name: string;
  description: string;
  schema: Json;
  isActive: boolean;
}

export async function listToolsPage({ q, active, limit, offset }: { q?: string; active?: boolean } & AdminPage) {
  const where: Prisma.ToolWhereInput = {
    ...(active === undefined ? {} : { isActive: active }),
    ...(q ? { OR: [{ name: containsText(q) }, { description: containsText(q) }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db().tool.findMany({
      where,
      orderBy: { id: "asc" },
      take: limit,
      skip: offset,
      include: { _count: { select: { assignments: true } } },
    }),
    db().tool.count({ where }),
  ]);
  return { rows, total };
}

export function getTool(id: number) {
  return db().tool.findUnique({ where: { id }, include: { _count: { select: { assignments: true } } } });
}

export async function createTool(input: ToolInput) {
  try {
    return await db().tool.create({ data: { ...input, schema: json(input.schema) } });
  } catch (e) {
    throw uniqueName(e, "A tool");
  }
}

export async function updateTool(id: number, input: ToolInput) {
  try {
    return await db().tool.update({ where: { id }, data: { ...input, schema: json(input.schema) } });
  } catch (e) {
    throw missing(uniqueName(e, "A tool"));
  }
}

/** Deletes the tool; its assignments simply lose it. False when unknown. */
export async function deleteTool(id: number): Promise<boolean> {
  const { count } = await db().tool.deleteMany({ where: { id } });
  return count > 0;
}

/**
 * Creates each tool that does not exist yet; an existing row keeps admins' edits except its
 * parameter schema, which is derived from the code that implements it.
 */
export async function ensureTools(tools: ReadonlyArray<{ name: string; description: string; schema: object }>) {
  for (const tool of tools) {
    await ignoreDuplicate(() =>
      db().tool.upsert({
        where: { name: tool.name },
        create: { ...tool, isActive: true },
        update: { schema: tool.schema },
      }),
    );
  }
}

/**
 * A session's team: its assignments (agent, order, prompt override, tools). The writes here are
 * silent (`…Row`): lib/sessions announces a changed team to open chat windows.
 */
import type { Prisma } from "@/generated/sqlite/client";
import { fieldError, notFound } from "@/lib/errors";
import { db } from "./connection";
import { isUniqueViolation } from "./orm";

// Tools are read unordered and sorted by id in findAssignments: the ORM cannot split an ordered
// many-to-many read into chunks, so one fails past SQLite's 999 bind values (a list of 500 sessions).
const assignmentInclude = { agent: true, tools: true } satisfies Prisma.AssignmentInclude;

export type AssignmentRow = Prisma.AssignmentGetPayload<{ include: typeof assignmentInclude }>;

/** Assignments in run order (`order`, then id), each with its agent and its tools by id. */
export async function findAssignments(where: Prisma.AssignmentWhereInput): Promise<AssignmentRow[]> {
  const rows = await db().assignment.findMany({
    where,
    orderBy: [{ order: "asc" }, { id: "asc" }],
    include: assignmentInclude,
  });
  for (const a of rows) a.tools.sort((x, y) => x.id - y.id);
  return rows;
}

/** The session's assignments whose agent is active, in run order, with their tools. */
export function activeAssignments(sessionPk: number): Promise<AssignmentRow[]> {
  return findAssignments({ sessionId: sessionPk, agent: { isActive: true } });
}

export interface AssignmentInput {
  order: number;
  promptOverride: string;
  toolIds: number[];
}

async function activeToolIds(toolIds: number[]) {
  if (toolIds.length === 0) return [];
  const found = await db().tool.findMany({ where: { id: { in: toolIds } }, select: { id: true } });
  if (found.length !== new Set(toolIds).size) throw fieldError("tools", "One of the chosen tools no longer exists.");
  return found;
}

export async function addAssignmentRow(sessionPk: number, agentId: number, input: AssignmentInput) {
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: { id: true } });
  if (!agent) throw fieldError("agent", "Choose an existing agent.");
  const tools = await activeToolIds(input.toolIds);
  try {
    return await db().assignment.create({
      data: {
        sessionId: sessionPk,
        agentId,
        order: input.order,
        promptOverride: input.promptOverride,
        tools: { connect: tools },
      },
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw fieldError("agent", "This agent is already assigned to this session.");
    throw e;
  }
}

export async function updateAssignmentRow(sessionPk: number, assignmentId: number, input: AssignmentInput) {
  const tools = await activeToolIds(input.toolIds);
  const { count } = await db().assignment.updateMany({
    where: { id: assignmentId, sessionId: sessionPk },
    data: { order: input.order, promptOverride: input.promptOverride },
  });
  if (count === 0) throw notFound();
  return db().assignment.update({ where: { id: assignmentId }, data: { tools: { set: tools } } });
}

export async function removeAssignmentRow(sessionPk: number, assignmentId: number): Promise<boolean> {
  const { count } = await db().assignment.deleteMany({ where: { id: assignmentId, sessionId: sessionPk } });
  return count > 0;
}

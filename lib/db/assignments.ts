/**
 * A session's team: its assignments (agent, order, prompt override, tools). The writes here are
 * silent (`…Row`): lib/sessions announces a changed team to open chat windows.
 */
import type { Prisma } from "@/generated/sqlite/client";
import { fieldError, notFound } from "@/lib/errors";
import { db, retryWhenBusy, sql } from "./connection";
import { isUniqueViolation } from "./orm";
import { agentColumns, agentOf, toolColumns, toolOf } from "./rows";
import { dateOf } from "./sql";

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

/** The session's assignments whose agent is active, in run order, with their tools (read at each run's start). */
export async function activeAssignments(sessionPk: number): Promise<AssignmentRow[]> {
  const [rows, tools] = await Promise.all([
    sql().all(
      `SELECT s.id, s.session_id, s.agent_id, s."order", s.prompt_override, s.created_at, s.updated_at, ${agentColumns}
       FROM assignment s JOIN agent a ON a.id = s.agent_id
       WHERE s.session_id = ? AND a.is_active = ? ORDER BY s."order", s.id`,
      [sessionPk, true],
    ),
    sql().all(
      `SELECT j."A" AS assignment_id, ${toolColumns}
       FROM "_AssignmentToTool" j JOIN tool t ON t.id = j."B" JOIN assignment s ON s.id = j."A"
       WHERE s.session_id = ? ORDER BY t.id`,
      [sessionPk],
    ),
  ]);
  return rows.map((r) => ({
    id: Number(r.id),
    sessionId: Number(r.session_id),
    agentId: Number(r.agent_id),
    order: Number(r.order),
    promptOverride: String(r.prompt_override),
    createdAt: dateOf(r.created_at),
    updatedAt: dateOf(r.updated_at),
    agent: agentOf(r)!,
    tools: tools.filter((t) => Number(t.assignment_id) === Number(r.id)).map(toolOf),
  }));
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

/** One agent of a new team of a session: its name, the names of the tools it may use, its prompt override. */
export interface NewAssignment {
  agent: string;
  tools: readonly string[];
  promptOverride?: string;
}

/**
 * `team` by ids, in order: members whose agent is missing or inactive are left out, as are
 * inactive tools.
 */
export async function resolveAssignments(
  tx: Prisma.TransactionClient,
  team: readonly NewAssignment[],
): Promise<MemberIds[]> {
  const agents = await tx.agent.findMany({ where: { isActive: true, name: { in: team.map((m) => m.agent) } } });
  const tools = await tx.tool.findMany({
    where: { isActive: true, name: { in: team.flatMap((m) => m.tools) } },
    select: { id: true, name: true },
  });
  return team.flatMap((member) => {
    const agent = agents.find((a) => a.name === member.agent);
    if (!agent) return [];
    const toolIds = tools.filter((t) => member.tools.includes(t.name)).map((t) => t.id);
    return [{ agentId: agent.id, promptOverride: member.promptOverride ?? "", toolIds }];
  });
}

/** A member of a team or a session's team, by ids. */
export interface MemberIds {
  agentId: number;
  promptOverride: string;
  toolIds: number[];
}

/** Rows to create (assignments of a session, or members of a team), in run order. */
export const assignmentRows = (members: readonly MemberIds[]) =>
  members.map((m, order) => ({
    agentId: m.agentId,
    order,
    promptOverride: m.promptOverride,
    tools: m.toolIds.length ? { connect: m.toolIds.map((id) => ({ id })) } : undefined,
  }));

/** Replaces the session's whole team in one transaction (and marks the session updated). */
export async function replaceAssignmentRows(
  sessionPk: number,
  team: readonly NewAssignment[],
  process?: { process: string; maxRounds: number },
): Promise<void> {
  await retryWhenBusy(() =>
    db().$transaction(async (tx) => {
      const members = await resolveAssignments(tx, team);
      await tx.assignment.deleteMany({ where: { sessionId: sessionPk } });
      await tx.chatSession.update({
        where: { id: sessionPk },
        data: { updatedAt: new Date(), ...process, assignments: { create: assignmentRows(members) } },
      });
    }),
  );
}

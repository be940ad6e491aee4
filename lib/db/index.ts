/**
 * Tandem's data module: every read and write of the app goes through these functions; nothing
 * else imports the ORM. Rows come back with the relations their serializers need.
 */
import { randomBytes } from "node:crypto";
import { Prisma } from "../../generated/sqlite/client.ts";
import type { MessageRole, RunStatus } from "../../generated/sqlite/enums.ts";
import { fieldError, notFound, TandemError } from "../errors.ts";
import { isSessionId } from "../ids.ts";
import { agentAssignmentCount } from "./admin.ts";
import { db, retryWhenBusy } from "./client.ts";
import { databaseErrorMessage, isForeignKeyViolation, isMissingRow, isUniqueViolation, json, type Json, readChildren } from "./orm.ts";

export { db, dbReady, disconnectDb, isPostgresUrl } from "./client.ts";
export { databaseErrorMessage } from "./orm.ts";
export type { MessageRole, RunStatus };
export * from "./admin.ts";


// ---------------------------------------------------------------------------------------------
// 1. Includes: the shape each serializer expects
// ---------------------------------------------------------------------------------------------

// Tools are read unordered and sorted by id in findAssignments: the ORM cannot split an ordered
// many-to-many read into chunks, so one fails past SQLite's 999 bind values (a list of 500 sessions).
const assignmentInclude = { agent: true, tools: true } satisfies Prisma.AssignmentInclude;
const messageInclude = { agent: true } satisfies Prisma.MessageInclude;

export type AssignmentRow = Prisma.AssignmentGetPayload<{ include: typeof assignmentInclude }>;
export type SessionRow = Prisma.ChatSessionGetPayload<object> & { assignments: AssignmentRow[] };
export type MessageRow = Prisma.MessageGetPayload<{ include: typeof messageInclude }>;
export type AgentRow = Prisma.AgentGetPayload<object>;
export type ToolRow = Prisma.ToolGetPayload<object>;
export type RunLogRow = Prisma.RunLogGetPayload<object>;

export interface Page {
  limit?: number;
  offset?: number;
}


// ---------------------------------------------------------------------------------------------
// 2. Sessions
// ---------------------------------------------------------------------------------------------

/** A URL-safe external id for sessions created without one. */
export const newSessionId = () => randomBytes(12).toString("base64url");

/** Which sessions come first: the newest created (the compat order) or the latest active. */
export type SessionOrder = "created" | "updated";

function sessionListQuery({ userId, order = "created", limit, offset }: { userId?: string; order?: SessionOrder } & Page) {
  const by = order === "updated" ? "updatedAt" : "createdAt";
  return {
    where: userId === undefined ? {} : { userId },
    orderBy: [{ [by]: "desc" }, { id: "desc" }] satisfies Prisma.ChatSessionOrderByWithRelationInput[],
    take: limit,
    skip: offset,
  };
}

/** A page of sessions with their assignments, and how many sessions match. */
export async function listSessions(filter: { userId?: string; order?: SessionOrder } & Page) {
  const { where, ...page } = sessionListQuery(filter);
  const [sessions, total] = await Promise.all([db().chatSession.findMany({ where, ...page }), db().chatSession.count({ where })]);
  return { rows: await withAssignments(sessions), total };
}

/** A page of sessions as a sidebar shows them: no assignments, no agents' prompts. */
export async function listSessionSummaries(filter: { userId?: string; order?: SessionOrder } & Page) {
  const { where, ...page } = sessionListQuery(filter);
  const [rows, total] = await Promise.all([
    db().chatSession.findMany({
      where,
      ...page,
      select: { sessionId: true, title: true, createdAt: true, updatedAt: true, _count: { select: { messages: true } } },
    }),
    db().chatSession.count({ where }),
  ]);
  return { rows, total };
}

export type SessionSummaryRow = Awaited<ReturnType<typeof listSessionSummaries>>["rows"][number];

export async function getSession(sessionId: string): Promise<SessionRow | null> {
  if (!isSessionId(sessionId)) return null;
  const session = await db().chatSession.findUnique({ where: { sessionId } });
  return session && (await withAssignments([session]))[0];
}

export async function requireSession(sessionId: string): Promise<SessionRow> {
  const session = await getSession(sessionId);
  if (!session) throw notFound();
  return session;
}

/** Attaches each session's assignments (with agent and tools) in run order. */
async function withAssignments(sessions: Prisma.ChatSessionGetPayload<object>[]): Promise<SessionRow[]> {
  const bySession = await readChildren(
    sessions.map((s) => s.id),
    (ids) => findAssignments({ sessionId: { in: ids } }),
    (a) => a.sessionId,
  );
  return sessions.map((s) => ({ ...s, assignments: bySession.get(s.id) ?? [] }));
}

/** Assignments in run order (`order`, then id), each with its agent and its tools by id. */
async function findAssignments(where: Prisma.AssignmentWhereInput): Promise<AssignmentRow[]> {
  const rows = await db().assignment.findMany({ where, orderBy: [{ order: "asc" }, { id: "asc" }], include: assignmentInclude });
  for (const a of rows) a.tools.sort((x, y) => x.id - y.id);
  return rows;
}

/** The session's primary key and run slot, for hot paths that need nothing else. */
export async function requireSessionKey(sessionId: string) {
  if (!isSessionId(sessionId)) throw notFound();
  const session = await db().chatSession.findUnique({
    where: { sessionId },
    select: { id: true, sessionId: true, activeRunId: true },
  });
  if (!session) throw notFound();
  return session;
}

/** One agent of a new session's team: its name and the names of the tools it may use. */
export interface TeamMember {
  agent: string;
  tools: readonly string[];
}

/**
 * Creates a session with `team` assigned in order (members whose agent is missing or inactive
 * are left out, as are inactive tools), all in one transaction.
 */
export async function createSession(input: {
  sessionId?: string;
  title?: string;
  userId?: string;
  metadata?: Json;
  team: readonly TeamMember[];
}): Promise<SessionRow> {
  const sessionId = input.sessionId ?? newSessionId();
  const agentNames = input.team.map((m) => m.agent);
  try {
    const session = await retryWhenBusy(() => db().$transaction(async (tx) => {
      const agents = await tx.agent.findMany({ where: { isActive: true, name: { in: agentNames } } });
      const tools = await tx.tool.findMany({
        where: { isActive: true, name: { in: input.team.flatMap((m) => m.tools) } },
        select: { id: true, name: true },
      });
      const members = input.team.flatMap((member) => {
        const agent = agents.find((a) => a.name === member.agent);
        if (!agent) return [];
        const connect = tools.filter((t) => member.tools.includes(t.name)).map((t) => ({ id: t.id }));
        return [{ agentId: agent.id, tools: connect.length ? { connect } : undefined }];
      });
      return tx.chatSession.create({
        data: {
          sessionId,
          title: input.title ?? "",
          userId: input.userId ?? "",
          metadata: json(input.metadata),
          assignments: { create: members.map((m, order) => ({ ...m, order })) },
        },
      });
    }));
    return (await withAssignments([session]))[0];
  } catch (e) {
    if (isUniqueViolation(e)) throw fieldError("session_id", "Chat Session with this session id already exists.");
    throw e;
  }
}

export async function updateSession(
  sessionId: string,
  patch: { title?: string; userId?: string; metadata?: Json },
): Promise<SessionRow> {
  try {
    if (!isSessionId(sessionId)) throw notFound();
    const session = await db().chatSession.update({
      where: { sessionId },
      data: { title: patch.title, userId: patch.userId, metadata: json(patch.metadata) },
    });
    return (await withAssignments([session]))[0];
  } catch (e) {
    if (isMissingRow(e)) throw notFound();
    throw e;
  }
}

/** Deletes the session with its assignments, messages and run logs; false when unknown. */
export async function deleteSession(sessionId: string): Promise<boolean> {
  if (!isSessionId(sessionId)) return false;
  const { count } = await db().chatSession.deleteMany({ where: { sessionId } });
  return count > 0;
}

export interface SessionSummary {
  sessionId: string;
  title: string;
  userId: string;
  messageCount: number;
  assignments: { order: number; agentName: string; agentRole: string; hasPromptOverride: boolean }[];
  run: { id: number; status: "running" } | null;
}

/**
 * The session's state summary in one round trip: clients poll it, so it is a single SQL query
 * (valid on SQLite and PostgreSQL) rather than the four the ORM would issue.
 */
export async function sessionState(sessionId: string): Promise<SessionSummary> {
  if (!isSessionId(sessionId)) throw notFound();
  const rows = await db().$queryRaw<
    {
      session_id: string;
      title: string;
      user_id: string;
      message_count: number | bigint;
      run_id: number | null;
      assignment_order: number | null;
      agent_name: string | null;
      agent_role: string | null;
      prompt_override: string | null;
    }[]
  >`
    SELECT s.session_id, s.title, s.user_id,
           (SELECT COUNT(*) FROM message m WHERE m.session_id = s.id) AS message_count,
           r.id AS run_id, a."order" AS assignment_order, ag.name AS agent_name, ag.role AS agent_role,
           a.prompt_override
      FROM chat_session s
      LEFT JOIN run_log r ON r.id = s.active_run_id AND r.status = 'running'
      LEFT JOIN assignment a ON a.session_id = s.id
      LEFT JOIN agent ag ON ag.id = a.agent_id
     WHERE s.session_id = ${sessionId}
     ORDER BY a."order", a.id`;
  const [first] = rows;
  if (!first) throw notFound();
  return {
    sessionId: first.session_id,
    title: first.title,
    userId: first.user_id,
    messageCount: Number(first.message_count),
    assignments: rows
      .filter((r) => r.agent_name !== null)
      .map((r) => ({
        order: Number(r.assignment_order),
        agentName: r.agent_name!,
        agentRole: r.agent_role!,
        hasPromptOverride: (r.prompt_override ?? "").trim() !== "",
      })),
    run: first.run_id === null ? null : { id: Number(first.run_id), status: "running" },
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Agents, tools and assignments
// ---------------------------------------------------------------------------------------------

export function listAgents() {
  return db().agent.findMany({ orderBy: { id: "asc" } });
}

export function listTools() {
  return db().tool.findMany({ orderBy: { id: "asc" } });
}

/** The session's assignments whose agent is active, in run order, with their tools. */
export function activeAssignments(sessionPk: number): Promise<AssignmentRow[]> {
  return findAssignments({ sessionId: sessionPk, agent: { isActive: true } });
}

/** Refuses while the agent is assigned to a session; its messages and run logs keep a null agent. */
export async function deleteAgent(id: number): Promise<boolean> {
  try {
    const { count } = await db().agent.deleteMany({ where: { id } });
    return count > 0;
  } catch (e) {
    if (isForeignKeyViolation(e)) {
      const sessions = await agentAssignmentCount(id);
      const where = sessions === 1 ? "a session" : `${sessions} sessions`;
      throw new TandemError("conflict", `This agent is assigned to ${where}; remove it from those sessions first.`);
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Messages
// ---------------------------------------------------------------------------------------------

const chronological = [{ createdAt: "asc" }, { id: "asc" }] satisfies Prisma.MessageOrderByWithRelationInput[];

/** The session's messages (after the message `after`, if given), chronological, and how many there are. */
export async function sessionHistory(sessionPk: number, { after, limit }: { after?: number; limit?: number }) {
  const where: Prisma.MessageWhereInput = { sessionId: sessionPk, ...(after === undefined ? {} : { id: { gt: after } }) };
  const [rows, total] = await Promise.all([
    db().message.findMany({ where, include: messageInclude, orderBy: chronological, take: limit }),
    db().message.count({ where }),
  ]);
  return { rows, total };
}

export async function listMessages({
  sessionId,
  role,
  limit,
  offset,
}: { sessionId?: string; role?: MessageRole } & Page) {
  const where: Prisma.MessageWhereInput = {
    ...(sessionId === undefined ? {} : { session: { sessionId } }),
    ...(role === undefined ? {} : { role }),
  };
  const [rows, total] = await Promise.all([
    db().message.findMany({ where, include: messageInclude, orderBy: chronological, take: limit, skip: offset }),
    db().message.count({ where }),
  ]);
  return { rows, total };
}

export function getMessage(id: number) {
  return db().message.findUnique({ where: { id }, include: messageInclude });
}

/** The newest `limit` messages of a session, newest first: the model's context window. */
export function recentMessages(sessionPk: number, limit: number) {
  return db().message.findMany({
    where: { sessionId: sessionPk, role: { in: ["user", "agent"] } },
    include: messageInclude,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
}

/** Case-insensitive substring search over a session's user and agent messages, newest first. */
export async function searchSessionMessages(sessionPk: number, query: string, limit: number) {
  // LOWER() on both sides is case-insensitive on SQLite and PostgreSQL alike (Prisma's
  // `mode: "insensitive"` exists only for PostgreSQL).
  const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const hits = await db().$queryRaw<{ id: number }[]>`
    SELECT id FROM message
    WHERE session_id = ${sessionPk} AND role IN ('user', 'agent') AND LOWER(content) LIKE ${pattern} ESCAPE '\\'
    ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
  const ids = hits.map((h) => Number(h.id));
  const rows = await db().message.findMany({ where: { id: { in: ids } }, include: messageInclude });
  return rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
}

export interface NewMessage {
  sessionPk: number;
  role: MessageRole;
  /** The agent row the caller already holds: attached as is, which saves the ORM a transaction and two reads. */
  agent?: AgentRow | null;
  content?: string;
  toolName?: string;
  toolInput?: Json;
  toolOutput?: Json;
  tokensPrompt?: number | null;
  tokensCompletion?: number | null;
  latencyMs?: number | null;
  metadata?: Json;
}

export async function createMessage(m: NewMessage): Promise<MessageRow> {
  const row = await db().message.create({
    data: {
      sessionId: m.sessionPk,
      role: m.role,
      agentId: m.agent?.id ?? null,
      content: m.content ?? "",
      toolName: m.toolName ?? "",
      toolInput: json(m.toolInput),
      toolOutput: json(m.toolOutput),
      tokensPrompt: m.tokensPrompt ?? null,
      tokensCompletion: m.tokensCompletion ?? null,
      latencyMs: m.latencyMs ?? null,
      metadata: json(m.metadata),
    },
  });
  return { ...row, agent: m.agent ?? null };
}

/** A streaming message's text so far (its metadata still says `streaming`). */
export async function saveMessageText(id: number, content: string): Promise<void> {
  await db().message.updateMany({ where: { id }, data: { content } });
}

export async function updateMessage(
  id: number,
  m: Pick<NewMessage, "agent" | "content" | "tokensPrompt" | "tokensCompletion" | "latencyMs" | "metadata">,
): Promise<MessageRow> {
  const row = await db().message.update({
    where: { id },
    data: {
      content: m.content,
      tokensPrompt: m.tokensPrompt,
      tokensCompletion: m.tokensCompletion,
      latencyMs: m.latencyMs,
      metadata: json(m.metadata),
    },
  });
  return { ...row, agent: m.agent ?? null };
}

// ---------------------------------------------------------------------------------------------
// 5. Runs: one at a time per session, held in the session's run slot, kept alive by a lease
// ---------------------------------------------------------------------------------------------

/**
 * Opens a run: stores the user's message and a `running` run log and takes the session's run
 * slot, in one transaction. The slot is taken with a conditional update, so two instances
 * sharing the database can never both win; the loser gets a 409 naming the running run.
 */
export async function startRun(input: {
  sessionPk: number;
  content: string;
  instanceId: string;
  leaseMs: number;
}): Promise<{ run: RunLogRow; message: MessageRow }> {
  const now = new Date();
  try {
    return await db().$transaction(async (tx) => {
      const run = await tx.runLog.create({
        data: {
          sessionId: input.sessionPk,
          status: "running",
          instanceId: input.instanceId,
          leaseExpiresAt: new Date(now.getTime() + input.leaseMs),
        },
      });
      const { count } = await tx.chatSession.updateMany({
        where: { id: input.sessionPk, activeRunId: null },
        data: { activeRunId: run.id, updatedAt: now },
      });
      if (count === 0) throw new RunSlotTaken(); // rolls the run log back
      const message = await tx.message.create({
        data: { sessionId: input.sessionPk, role: "user", content: input.content },
      });
      return { run, message: { ...message, agent: null } };
    });
  } catch (e) {
    if (!(e instanceof RunSlotTaken)) throw e;
    const busy = await db().chatSession.findUnique({ where: { id: input.sessionPk }, select: { activeRunId: true } });
    throw new TandemError("conflict", "A run is already in progress for this session; wait for it to finish or cancel it.", {
      extra: { run_id: busy?.activeRunId ?? null },
    });
  }
}

class RunSlotTaken extends Error {}

/**
 * Ends a run and frees the session's slot. `changed` is false when the run had already ended
 * (say, cancelled through another instance), so its end is announced exactly once.
 */
export async function finishRun(input: {
  runId: number;
  sessionPk: number;
  status: Exclude<RunStatus, "running">;
  details: string;
  /** What the run did (duration, tokens, per-agent metrics, messages), kept as JSON. */
  extra: Record<string, unknown>;
}): Promise<{ changed: boolean }> {
  const [ended] = await db().$transaction([
    db().runLog.updateMany({
      where: { id: input.runId, status: "running" },
      data: { status: input.status, details: input.details, extra: input.extra as Prisma.InputJsonValue, leaseExpiresAt: null },
    }),
    db().chatSession.updateMany({
      where: { id: input.sessionPk, activeRunId: input.runId },
      data: { activeRunId: null, updatedAt: new Date() },
    }),
  ]);
  return { changed: ended.count === 1 };
}

/** Extends the leases of this instance's runs; returns the ids that are still running. */
export async function renewRunLeases(runIds: number[], leaseMs: number): Promise<Set<number>> {
  if (runIds.length === 0) return new Set();
  await db().runLog.updateMany({
    where: { id: { in: runIds }, status: "running" },
    data: { leaseExpiresAt: new Date(Date.now() + leaseMs) },
  });
  const running = await db().runLog.findMany({
    where: { id: { in: runIds }, status: "running" },
    select: { id: true },
  });
  return new Set(running.map((r) => r.id));
}

/**
 * The running runs whose lease lapsed (their instance stopped renewing it), and at start-up this
 * instance's own earlier runs, which died with its previous process. Runs of live instances keep
 * renewing, so are never returned; nor are `except` (this instance's own runs).
 */
export async function lapsedRuns(input: { ownInstanceId?: string; except: number[] }) {
  const runs = await db().runLog.findMany({
    where: {
      status: "running",
      id: { notIn: input.except },
      OR: [
        { leaseExpiresAt: { lt: new Date() } },
        { leaseExpiresAt: null },
        ...(input.ownInstanceId ? [{ instanceId: input.ownInstanceId }] : []),
      ],
    },
    include: { session: { select: { sessionId: true } } },
  });
  return runs.map((r) => ({
    runId: r.id,
    sessionPk: r.sessionId,
    sessionId: r.session.sessionId,
    startedAt: r.createdAt,
    extra: r.extra as Record<string, unknown> | null,
  }));
}

/** Marks the agent messages a run was still writing when it was interrupted; their text stays. */
export async function markInterruptedMessages(sessionPk: number, since: Date): Promise<void> {
  const unfinished = await db().message.findMany({
    where: { sessionId: sessionPk, role: "agent", createdAt: { gte: since } },
  });
  for (const m of unfinished) {
    const meta = m.metadata as Record<string, unknown> | null;
    if (meta?.streaming !== true) continue;
    await db().message.update({
      where: { id: m.id },
      data: { metadata: { ...meta, streaming: false, interrupted: true } },
    });
  }
}

/** A slot can only outlive its run if a finish was cut short; frees any such slot. */
export async function freeOrphanedRunSlots(): Promise<void> {
  await db().$executeRaw`UPDATE chat_session SET active_run_id = NULL WHERE active_run_id IS NOT NULL AND active_run_id NOT IN (SELECT id FROM run_log WHERE status = 'running')`;
}

export async function listRuns(sessionPk: number, { status, limit, offset }: { status?: RunStatus } & Page) {
  const where: Prisma.RunLogWhereInput = { sessionId: sessionPk, ...(status ? { status } : {}) };
  const [rows, total] = await Promise.all([
    db().runLog.findMany({
      where,
      include: { agent: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
      skip: offset,
    }),
    db().runLog.count({ where }),
  ]);
  return { rows, total };
}

export function getRun(id: number) {
  return db().runLog.findUnique({ where: { id } });
}

/**
 * Readiness of the data layer: one committed write, since a database that answers reads but
 * refuses writes (full disk, read-only replica or mode) cannot store a message.
 */
export async function probeDatabaseWrite(): Promise<void> {
  const value = new Date().toISOString();
  try {
    await db().appSetting.upsert({ where: { key: "ready_probe" }, create: { key: "ready_probe", value }, update: { value } });
  } catch (e) {
    throw new Error(`cannot write: ${databaseErrorMessage(e)}`);
  }
}

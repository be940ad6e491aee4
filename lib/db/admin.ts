/**
 * Data functions of the admin pages (re-exported by lib/db/index.ts; nothing else imports the
 * ORM): admins and their sessions, login throttling, settings, agent/tool/assignment writes,
 * searchable paginated lists, and the dashboard's aggregates (GROUP BY in the database).
 */
import { Prisma } from "../../generated/sqlite/client.ts";
import type { MessageRole, RunStatus } from "../../generated/sqlite/enums.ts";
import { env } from "../env.ts";
import { fieldError, notFound } from "../errors.ts";
import { isSessionId } from "../ids.ts";
import { db, isPostgresUrl, retryWhenBusy } from "./client.ts";
import { isMissingRow, isUniqueViolation, json, type Json, readChildren } from "./orm.ts";

const postgres = () => isPostgresUrl(env.DATABASE_URL);

export interface AdminPage {
  limit: number;
  offset: number;
}

/**
 * Case-insensitive substring filter on both providers: SQLite's LIKE ignores ASCII case,
 * PostgreSQL needs `mode: "insensitive"` (ILIKE), which the SQLite client's types lack.
 */
function containsText(q: string): Prisma.StringFilter {
  return (postgres() ? { contains: q, mode: "insensitive" } : { contains: q }) as Prisma.StringFilter;
}

// ---------------------------------------------------------------------------------------------
// 1. Admin users and their sessions
// ---------------------------------------------------------------------------------------------

export type AdminUserRow = Prisma.AdminUserGetPayload<object>;

export function countAdminUsers(): Promise<number> {
  return db().adminUser.count({ where: { isActive: true } });
}

export function findAdminUser(username: string): Promise<AdminUserRow | null> {
  return db().adminUser.findUnique({ where: { username } });
}

export async function createAdminUser(input: { username: string; passwordHash: string }): Promise<AdminUserRow> {
  try {
    return await retryWhenBusy(() => db().adminUser.create({ data: input }));
  } catch (e) {
    if (isUniqueViolation(e)) throw fieldError("username", "An admin with this username already exists.");
    throw e;
  }
}

/** Sets a new password and signs the admin out everywhere. */
export async function setAdminPassword(username: string, passwordHash: string): Promise<AdminUserRow> {
  const user = await findAdminUser(username);
  if (!user) throw notFound();
  const [updated] = await db().$transaction([
    db().adminUser.update({ where: { id: user.id }, data: { passwordHash, isActive: true } }),
    db().adminSession.deleteMany({ where: { userId: user.id } }),
  ]);
  return updated;
}

export async function createAdminSession(input: { userId: number; tokenHash: string; expiresAt: Date }) {
  const now = new Date();
  await db().$transaction([
    db().adminSession.create({ data: input }),
    db().adminUser.update({ where: { id: input.userId }, data: { lastLoginAt: now } }),
    // Expired sessions go whenever someone signs in; no timer needed.
    db().adminSession.deleteMany({ where: { expiresAt: { lt: now } } }),
  ]);
}

/** The live session of this token hash with its (active) admin, else null. */
export async function findAdminSession(tokenHash: string) {
  const session = await db().adminSession.findUnique({ where: { tokenHash }, include: { user: true } });
  if (!session || session.expiresAt.getTime() <= Date.now() || !session.user.isActive) return null;
  return session;
}

export async function deleteAdminSession(tokenHash: string): Promise<void> {
  await db().adminSession.deleteMany({ where: { tokenHash } });
}

// ---------------------------------------------------------------------------------------------
// 2. Login throttling (in the database, so it holds across instances) and settings
// ---------------------------------------------------------------------------------------------

export function loginThrottles(keys: string[]) {
  return db().adminLoginThrottle.findMany({ where: { key: { in: keys } } });
}

/**
 * Counts one failed login against `key`: failures older than `windowMs` are forgotten; the
 * caller's policy turns the count into a wait (`blockedUntil`).
 */
export async function recordLoginFailure(
  key: string,
  policy: { windowMs: number; delayMs: (failures: number) => number },
): Promise<{ failures: number; blockedUntil: Date | null }> {
  return retryWhenBusy(() =>
    db().$transaction(async (tx) => {
      const now = new Date();
      const row = await tx.adminLoginThrottle.findUnique({ where: { key } });
      const fresh = !row || now.getTime() - row.windowStartedAt.getTime() > policy.windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const delay = policy.delayMs(failures);
      const blockedUntil = delay > 0 ? new Date(now.getTime() + delay) : null;
      const data = { failures, blockedUntil, windowStartedAt: fresh ? now : row.windowStartedAt };
      await tx.adminLoginThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
      return { failures, blockedUntil };
    }),
  );
}

export async function clearLoginThrottles(keys: string[]): Promise<void> {
  await db().adminLoginThrottle.deleteMany({ where: { key: { in: keys } } });
}

export async function getSetting(key: string): Promise<string | null> {
  return (await db().appSetting.findUnique({ where: { key } }))?.value ?? null;
}

/** Stores `value` unless the key is already set; returns the stored value (first writer wins). */
export async function ensureSetting(key: string, value: string): Promise<string> {
  try {
    await retryWhenBusy(() => db().appSetting.create({ data: { key, value } }));
    return value;
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return (await getSetting(key)) ?? value;
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Agents and tools
// ---------------------------------------------------------------------------------------------

export interface AgentInput {
  name: string;
  role: string;
  description: string;
  modelHint: string;
  isActive: boolean;
}

export interface ToolInput {
  name: string;
  description: string;
  schema: Json;
  isActive: boolean;
}

const uniqueName = (e: unknown, what: string) =>
  isUniqueViolation(e) ? fieldError("name", `${what} with this name already exists.`) : e;
const missing = (e: unknown) => (isMissingRow(e) ? notFound() : e);

export async function listAgentsPage({ q, active, limit, offset }: { q?: string; active?: boolean } & AdminPage) {
  const where: Prisma.AgentWhereInput = {
    ...(active === undefined ? {} : { isActive: active }),
    ...(q ? { OR: [{ name: containsText(q) }, { role: containsText(q) }, { description: containsText(q) }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db().agent.findMany({
      where,
      orderBy: { id: "asc" },
      take: limit,
      skip: offset,
      include: { _count: { select: { assignments: true } } },
    }),
    db().agent.count({ where }),
  ]);
  return { rows, total };
}

export function getAgent(id: number) {
  return db().agent.findUnique({ where: { id }, include: { _count: { select: { assignments: true, messages: true } } } });
}

export async function createAgent(input: AgentInput) {
  try {
    return await db().agent.create({ data: input });
  } catch (e) {
    throw uniqueName(e, "An agent");
  }
}

export async function updateAgent(id: number, input: AgentInput) {
  try {
    return await db().agent.update({ where: { id }, data: input });
  } catch (e) {
    throw missing(uniqueName(e, "An agent"));
  }
}

/** How many sessions the agent is assigned to (what blocks deleting it). */
export function agentAssignmentCount(id: number): Promise<number> {
  return db().assignment.count({ where: { agentId: id } });
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

// ---------------------------------------------------------------------------------------------
// 4. Sessions and their assignments
// ---------------------------------------------------------------------------------------------

export async function listSessionsPage({ q, limit, offset }: { q?: string } & AdminPage) {
  const where: Prisma.ChatSessionWhereInput = q
    ? { OR: [{ sessionId: containsText(q) }, { title: containsText(q) }, { userId: containsText(q) }] }
    : {};
  const [sessions, total] = await Promise.all([
    db().chatSession.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
      skip: offset,
      include: { _count: { select: { messages: true, runLogs: true } } },
    }),
    db().chatSession.count({ where }),
  ]);
  const bySession = await readChildren(
    sessions.map((s) => s.id),
    (ids) =>
      db().assignment.findMany({
        where: { sessionId: { in: ids } },
        orderBy: [{ order: "asc" }, { id: "asc" }],
        select: { sessionId: true, agent: { select: { name: true } } },
      }),
    (a) => a.sessionId,
  );
  return { rows: sessions.map((s) => ({ ...s, assignments: bySession.get(s.id) ?? [] })), total };
}

export async function sessionCounts(sessionPk: number) {
  const [messages, runs] = await Promise.all([
    db().message.count({ where: { sessionId: sessionPk } }),
    db().runLog.count({ where: { sessionId: sessionPk } }),
  ]);
  return { messages, runs };
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

export async function addAssignment(sessionPk: number, agentId: number, input: AssignmentInput) {
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: { id: true } });
  if (!agent) throw fieldError("agent", "Choose an existing agent.");
  const tools = await activeToolIds(input.toolIds);
  try {
    return await db().assignment.create({
      data: { sessionId: sessionPk, agentId, order: input.order, promptOverride: input.promptOverride, tools: { connect: tools } },
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw fieldError("agent", "This agent is already assigned to this session.");
    throw e;
  }
}

export async function updateAssignment(sessionPk: number, assignmentId: number, input: AssignmentInput) {
  const tools = await activeToolIds(input.toolIds);
  const { count } = await db().assignment.updateMany({
    where: { id: assignmentId, sessionId: sessionPk },
    data: { order: input.order, promptOverride: input.promptOverride },
  });
  if (count === 0) throw notFound();
  return db().assignment.update({ where: { id: assignmentId }, data: { tools: { set: tools } } });
}

export async function removeAssignment(sessionPk: number, assignmentId: number): Promise<boolean> {
  const { count } = await db().assignment.deleteMany({ where: { id: assignmentId, sessionId: sessionPk } });
  return count > 0;
}

// ---------------------------------------------------------------------------------------------
// 5. Messages and runs
// ---------------------------------------------------------------------------------------------

const newestFirst = [{ createdAt: "desc" }, { id: "desc" }] as const;

/** The session's primary key for a filter by its external id; -1 matches nothing. */
async function sessionPkOf(sessionId: string | undefined): Promise<number | undefined> {
  if (sessionId === undefined) return undefined;
  if (!isSessionId(sessionId)) return -1;
  const row = await db().chatSession.findUnique({ where: { sessionId }, select: { id: true } });
  return row?.id ?? -1;
}

export async function listMessagesPage({
  q,
  role,
  session,
  limit,
  offset,
}: { q?: string; role?: MessageRole; session?: string } & AdminPage) {
  const sessionPk = await sessionPkOf(session);
  const where: Prisma.MessageWhereInput = {
    ...(sessionPk === undefined ? {} : { sessionId: sessionPk }),
    ...(role ? { role } : {}),
    ...(q ? { OR: [{ content: containsText(q) }, { toolName: containsText(q) }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db().message.findMany({
      where,
      orderBy: [...newestFirst],
      take: limit,
      skip: offset,
      include: { agent: { select: { id: true, name: true } }, session: { select: { sessionId: true, title: true } } },
    }),
    db().message.count({ where }),
  ]);
  return { rows, total };
}

export function getMessageDetail(id: number) {
  return db().message.findUnique({ where: { id }, include: { agent: true, session: { select: { sessionId: true, title: true } } } });
}

/**
 * Runs, newest first. `agent` (a name) matches runs the agent took part in: the run log's own
 * agent, or an entry of its per-agent metrics (`extra.agents[].agent`), read with each
 * provider's JSON functions.
 */
export async function listRunsPage({
  status,
  session,
  agent,
  limit,
  offset,
}: { status?: RunStatus; session?: string; agent?: string } & AdminPage) {
  const sessionPk = await sessionPkOf(session);
  const include = { agent: { select: { id: true, name: true } }, session: { select: { sessionId: true, title: true } } };
  if (agent === undefined) {
    const where: Prisma.RunLogWhereInput = {
      ...(sessionPk === undefined ? {} : { sessionId: sessionPk }),
      ...(status ? { status } : {}),
    };
    const [rows, total] = await Promise.all([
      db().runLog.findMany({ where, orderBy: [...newestFirst], take: limit, skip: offset, include }),
      db().runLog.count({ where }),
    ]);
    return { rows, total };
  }
  const agentRow = await db().agent.findUnique({ where: { name: agent }, select: { id: true } });
  const conditions: Prisma.Sql[] = [
    postgres()
      ? Prisma.sql`(r.agent_id = ${agentRow?.id ?? -1} OR r.extra -> 'agents' @> ${JSON.stringify([{ agent }])}::jsonb)`
      : Prisma.sql`(r.agent_id = ${agentRow?.id ?? -1} OR EXISTS (SELECT 1 FROM json_each(r.extra, '$.agents') j WHERE json_extract(j.value, '$.agent') = ${agent}))`,
  ];
  if (sessionPk !== undefined) conditions.push(Prisma.sql`r.session_id = ${sessionPk}`);
  if (status) conditions.push(postgres() ? Prisma.sql`r.status::text = ${status}` : Prisma.sql`r.status = ${status}`);
  const where = Prisma.join(conditions, " AND ");
  const [hits, counted] = await Promise.all([
    db().$queryRaw<{ id: number }[]>`SELECT r.id FROM run_log r WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT ${limit} OFFSET ${offset}`,
    db().$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM run_log r WHERE ${where}`,
  ]);
  const ids = hits.map((h) => Number(h.id));
  const rows = await db().runLog.findMany({ where: { id: { in: ids } }, include });
  rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
  return { rows, total: Number(counted[0]?.n ?? 0) };
}

export function getRunDetail(id: number) {
  return db().runLog.findUnique({ where: { id }, include: { agent: true, session: { select: { sessionId: true, title: true } } } });
}

/** The messages a run wrote (its extra.messages ids, else its session's messages of the run's span). */
export function runMessages(ids: number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db().message.findMany({
    where: { id: { in: ids.slice(0, 200) } },
    orderBy: { id: "asc" },
    include: { agent: { select: { id: true, name: true } } },
  });
}

// ---------------------------------------------------------------------------------------------
// 6. Dashboard: aggregates computed by the database, per UTC day
// ---------------------------------------------------------------------------------------------

export interface RunsPerDay {
  day: string;
  status: RunStatus;
  count: number;
}

export interface AgentDay {
  day: string;
  agentId: number | null;
  messages: number;
  avgLatencyMs: number | null;
  tokens: number;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Runs per UTC day and status since `since` (inclusive day). */
export async function runsPerDay(since: Date): Promise<RunsPerDay[]> {
  const from = dayOf(since);
  const rows = postgres()
    ? await db().$queryRaw<{ day: string; status: string; n: bigint | number }[]>`
        SELECT to_char(created_at, 'YYYY-MM-DD') AS day, status::text AS status, COUNT(*) AS n
        FROM run_log WHERE created_at >= ${from}::timestamp GROUP BY 1, 2 ORDER BY 1, 2`
    : await db().$queryRaw<{ day: string; status: string; n: bigint | number }[]>`
        SELECT substr(created_at, 1, 10) AS day, status, COUNT(*) AS n
        FROM run_log WHERE created_at >= ${from} GROUP BY 1, 2 ORDER BY 1, 2`;
  return rows.map((r) => ({ day: r.day, status: r.status as RunStatus, count: Number(r.n) }));
}

/** Agent messages per UTC day and agent: count, mean turn latency, tokens (prompt + completion). */
export async function agentStatsPerDay(since: Date): Promise<AgentDay[]> {
  const from = dayOf(since);
  type Row = { day: string; agent_id: number | null; n: bigint | number; latency: number | null; tokens: bigint | number | null };
  const rows = postgres()
    ? await db().$queryRaw<Row[]>`
        SELECT to_char(created_at, 'YYYY-MM-DD') AS day, agent_id, COUNT(*) AS n,
               AVG(latency_ms)::float8 AS latency,
               SUM(COALESCE(tokens_prompt, 0) + COALESCE(tokens_completion, 0))::int8 AS tokens
        FROM message WHERE role = 'agent' AND created_at >= ${from}::timestamp GROUP BY 1, 2 ORDER BY 1, 2`
    : await db().$queryRaw<Row[]>`
        SELECT substr(created_at, 1, 10) AS day, agent_id, COUNT(*) AS n,
               AVG(latency_ms) AS latency,
               SUM(COALESCE(tokens_prompt, 0) + COALESCE(tokens_completion, 0)) AS tokens
        FROM message WHERE role = 'agent' AND created_at >= ${from} GROUP BY 1, 2 ORDER BY 1, 2`;
  return rows.map((r) => ({
    day: r.day,
    agentId: r.agent_id === null ? null : Number(r.agent_id),
    messages: Number(r.n),
    avgLatencyMs: r.latency === null ? null : Number(r.latency),
    tokens: Number(r.tokens ?? 0),
  }));
}

export async function dashboardTotals() {
  const [sessions, messages, runs, agents, tools, running] = await Promise.all([
    db().chatSession.count(),
    db().message.count(),
    db().runLog.count(),
    db().agent.count(),
    db().tool.count(),
    db().runLog.count({ where: { status: "running" } }),
  ]);
  return { sessions, messages, runs, agents, tools, running };
}

/** Names of agents by id, for labelling aggregates. */
export async function agentNames(): Promise<Map<number, string>> {
  const rows = await db().agent.findMany({ select: { id: true, name: true }, orderBy: { id: "asc" } });
  return new Map(rows.map((r) => [r.id, r.name]));
}


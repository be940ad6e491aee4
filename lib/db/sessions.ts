/**
 * Sessions: lists, reads, the state summary, and the rows' writes. Writes that open chat windows
 * must hear of (a rename, a deletion) are announced by lib/sessions; the ones here are silent,
 * and named so (`…Row`).
 */
import { randomBytes } from "node:crypto";
import type { Prisma } from "@/generated/sqlite/client";
import { fieldError, notFound } from "@/lib/errors";
import { isSessionId } from "@/lib/ids";
import {
  type AssignmentRow,
  assignmentRows,
  findAssignments,
  type NewAssignment,
  resolveAssignments,
} from "./assignments";
import { db, retryWhenBusy, sql } from "./connection";
import {
  type AdminPage,
  containsText,
  isMissingRow,
  isUniqueViolation,
  type Json,
  json,
  type Page,
  readChildren,
} from "./orm";
import { intOrNull } from "./sql";

/** A URL-safe external id for sessions created without one. */
export const newSessionId = () => randomBytes(12).toString("base64url");

export type SessionRow = Prisma.ChatSessionGetPayload<object> & { assignments: AssignmentRow[] };

/**
 * Which sessions come first: the newest created (the compat order), the latest changed, or the
 * sidebar's order: pinned first (latest pinned first), then by latest message.
 */
export type SessionOrder = "created" | "updated" | "activity";

const ORDERS = {
  created: [{ createdAt: "desc" }, { id: "desc" }],
  updated: [{ updatedAt: "desc" }, { id: "desc" }],
  activity: [{ pinnedAt: { sort: "desc", nulls: "last" } }, { lastMessageAt: "desc" }, { id: "desc" }],
} satisfies Record<SessionOrder, Prisma.ChatSessionOrderByWithRelationInput[]>;

/** Which sessions a list covers: by the compat `user_id`, and by owner (unset: everyone's). */
export type SessionFilter = { userId?: string; ownerId?: string; order?: SessionOrder } & Page;

function sessionListQuery({ userId, ownerId, order = "created", limit, offset }: SessionFilter) {
  return {
    where: { ...(userId === undefined ? {} : { userId }), ...(ownerId === undefined ? {} : { ownerId }) },
    orderBy: ORDERS[order],
    take: limit,
    skip: offset,
  };
}

/** A page of sessions with their assignments, and how many sessions match. */
export async function listSessions(filter: SessionFilter) {
  const { where, ...page } = sessionListQuery(filter);
  const [sessions, total] = await Promise.all([
    db().chatSession.findMany({ where, ...page }),
    db().chatSession.count({ where }),
  ]);
  return { rows: await withAssignments(sessions), total };
}

/** A page of sessions as a sidebar shows them: no assignments, no agents' prompts. */
export async function listSessionSummaries(filter: SessionFilter) {
  const { where, ...page } = sessionListQuery(filter);
  const [rows, total] = await Promise.all([
    db().chatSession.findMany({
      where,
      ...page,
      select: {
        sessionId: true,
        title: true,
        pinnedAt: true,
        lastMessageAt: true,
        createdAt: true,
        updatedAt: true,
        _count: { select: { messages: true } },
      },
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

/** The session's owner (null: none), or undefined when there is no such session. */
export async function sessionOwnerOf(sessionId: string): Promise<string | null | undefined> {
  if (!isSessionId(sessionId)) return undefined;
  // Asked before every request to a session with accounts on: plain SQL (./sql.ts).
  const [row] = await sql().all<{ owner_id: string | null }>("SELECT owner_id FROM chat_session WHERE session_id = ?", [
    sessionId,
  ]);
  return row === undefined ? undefined : row.owner_id;
}

/** The session's primary key and run slot, for hot paths that need nothing else. */
export async function requireSessionKey(sessionId: string) {
  if (!isSessionId(sessionId)) throw notFound();
  const [row] = await sql().all<{ id: number; active_run_id: number | null }>(
    "SELECT id, active_run_id FROM chat_session WHERE session_id = ?",
    [sessionId],
  );
  if (!row) throw notFound();
  return { id: Number(row.id), sessionId, activeRunId: intOrNull(row.active_run_id) };
}

/** How a session's agents work together (copied from its team; lib/agents/processes.ts runs it). */
export interface SessionProcess {
  process: string;
  maxRounds: number;
}

/** The session's process, read at the start of each run. */
export async function sessionProcess(sessionPk: number): Promise<SessionProcess> {
  const [row] = await sql().all<{ process: string; max_rounds: number }>(
    "SELECT process, max_rounds FROM chat_session WHERE id = ?",
    [sessionPk],
  );
  return row ? { process: row.process, maxRounds: Number(row.max_rounds) } : { process: "sequential", maxRounds: 1 };
}

/**
 * Creates a session with `team` assigned in order (see resolveAssignments) and the team's
 * process, all in one transaction.
 */
export async function createSession(input: {
  sessionId?: string;
  title?: string;
  userId?: string;
  ownerId?: string;
  metadata?: Json;
  team: readonly NewAssignment[];
  process?: SessionProcess;
}): Promise<SessionRow> {
  const sessionId = input.sessionId ?? newSessionId();
  try {
    const session = await retryWhenBusy(() =>
      db().$transaction(async (tx) => {
        const members = await resolveAssignments(tx, input.team);
        return tx.chatSession.create({
          data: {
            sessionId,
            title: input.title ?? "",
            userId: input.userId ?? "",
            ownerId: input.ownerId,
            metadata: json(input.metadata),
            ...input.process,
            assignments: { create: assignmentRows(members) },
          },
        });
      }),
    );
    return (await withAssignments([session]))[0];
  } catch (e) {
    if (isUniqueViolation(e)) throw fieldError("session_id", "Chat Session with this session id already exists.");
    throw e;
  }
}

export async function updateSessionRow(
  sessionId: string,
  patch: { title?: string; userId?: string; metadata?: Json; pinned?: boolean },
): Promise<SessionRow> {
  try {
    if (!isSessionId(sessionId)) throw notFound();
    const current = patch.pinned === undefined ? null : await getPinnedAt(sessionId);
    const session = await db().chatSession.update({
      where: { sessionId },
      data: {
        title: patch.title,
        userId: patch.userId,
        metadata: json(patch.metadata),
        // Pinning a pinned chat keeps its place among the pinned.
        pinnedAt: patch.pinned === undefined ? undefined : patch.pinned ? (current ?? new Date()) : null,
      },
    });
    return (await withAssignments([session]))[0];
  } catch (e) {
    if (isMissingRow(e)) throw notFound();
    throw e;
  }
}

async function getPinnedAt(sessionId: string): Promise<Date | null> {
  const row = await db().chatSession.findUnique({ where: { sessionId }, select: { pinnedAt: true } });
  if (!row) throw notFound();
  return row.pinnedAt;
}

/** Deletes the session with its assignments, messages and run logs; false when unknown. */
export async function deleteSessionRow(sessionId: string): Promise<boolean> {
  if (!isSessionId(sessionId)) return false;
  const { count } = await db().chatSession.deleteMany({ where: { sessionId } });
  return count > 0;
}

export interface SessionStateRow {
  sessionId: string;
  title: string;
  userId: string;
  messageCount: number;
  assignments: { order: number; agentName: string; agentRole: string; hasPromptOverride: boolean }[];
  run: { id: number; status: "running" } | null;
}

/**
 * The session's state summary in one round trip: clients poll it, so it is a single plain SQL
 * statement (./sql.ts; valid on SQLite and PostgreSQL) rather than the four the ORM would issue.
 */
export async function sessionState(sessionId: string): Promise<SessionStateRow> {
  if (!isSessionId(sessionId)) throw notFound();
  const rows = await sql().all<{
    session_id: string;
    title: string;
    user_id: string;
    message_count: number | string;
    run_id: number | null;
    assignment_order: number | null;
    agent_name: string | null;
    agent_role: string | null;
    prompt_override: string | null;
  }>(
    `SELECT s.session_id, s.title, s.user_id,
            (SELECT COUNT(*) FROM message m WHERE m.session_id = s.id) AS message_count,
            r.id AS run_id, a."order" AS assignment_order, ag.name AS agent_name, ag.role AS agent_role,
            a.prompt_override
       FROM chat_session s
       LEFT JOIN run_log r ON r.id = s.active_run_id AND r.status = 'running'
       LEFT JOIN assignment a ON a.session_id = s.id
       LEFT JOIN agent ag ON ag.id = a.agent_id
      WHERE s.session_id = ?
      ORDER BY a."order", a.id`,
    [sessionId],
  );
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

/** The session's primary key for a filter by its external id; -1 matches nothing. */
export async function sessionPkOf(sessionId: string | undefined): Promise<number | undefined> {
  if (sessionId === undefined) return undefined;
  if (!isSessionId(sessionId)) return -1;
  const row = await db().chatSession.findUnique({ where: { sessionId }, select: { id: true } });
  return row?.id ?? -1;
}

/**
 * What naming a session after its first run needs: the first exchange, or null once more than
 * one run succeeded. Asked after every successful run, so it first counts successes, at most two
 * (the session's index stops there, whatever its length).
 */
export async function firstExchange(sessionId: string): Promise<{ question: string; answer: string } | null> {
  const { id: sessionPk } = await requireSessionKey(sessionId);
  const successes = await sql().all("SELECT id FROM run_log WHERE session_id = ? AND status = 'success' LIMIT 2", [
    sessionPk,
  ]);
  if (successes.length !== 1) return null;
  const [question, answers] = await Promise.all([
    db().message.findFirst({ where: { sessionId: sessionPk, role: "user" }, orderBy: { id: "asc" } }),
    // The newest few: a review's verdict or a consulted teammate's reply comes after the answer.
    db().message.findMany({ where: { sessionId: sessionPk, role: "agent" }, orderBy: { id: "desc" }, take: 8 }),
  ]);
  const meta = (m: { metadata: unknown }) => (m.metadata ?? {}) as { review?: unknown; consultation?: unknown };
  const answer = answers.find((m) => meta(m).review !== true && !meta(m).consultation) ?? answers[0];
  return { question: question?.content ?? "", answer: answer?.content ?? "" };
}

/** Renames the session only while its title is still `from` (nobody renamed it meanwhile). */
export async function renameSessionRowIf(sessionId: string, from: string, to: string): Promise<SessionRow | null> {
  if (!isSessionId(sessionId)) return null;
  const { count } = await db().chatSession.updateMany({ where: { sessionId, title: from }, data: { title: to } });
  return count ? getSession(sessionId) : null;
}

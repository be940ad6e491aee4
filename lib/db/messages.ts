/** Messages: a session's history, the model's context window, search, and the engine's writes. */

import type { Prisma } from "@/generated/sqlite/client";
import type { MessageRole } from "@/generated/sqlite/enums";
import { notFound } from "@/lib/errors";
import type { AgentRow } from "./agents";
import { db, sql } from "./connection";
import { type AdminPage, containsText, type Json, newestFirst, type Page } from "./orm";
import { type MessageFields, messageColumns, messageOf, messageReturning } from "./rows";
import { sessionPkOf } from "./sessions";
import { jsonText, type Sql } from "./sql";

const messageInclude = { agent: true } satisfies Prisma.MessageInclude;

export type MessageRow = Prisma.MessageGetPayload<{ include: typeof messageInclude }>;

const chronological = [{ createdAt: "asc" }, { id: "asc" }] satisfies Prisma.MessageOrderByWithRelationInput[];

export async function listMessages({
  sessionId,
  role,
  limit,
  offset,
  ownerId,
}: { sessionId?: string; role?: MessageRole; ownerId?: string } & Page) {
  const where: Prisma.MessageWhereInput = {
    ...(sessionId === undefined && ownerId === undefined ? {} : { session: { sessionId, ownerId } }),
    ...(role === undefined ? {} : { role }),
  };
  const [rows, total] = await Promise.all([
    db().message.findMany({ where, include: messageInclude, orderBy: chronological, take: limit, skip: offset }),
    db().message.count({ where }),
  ]);
  return { rows, total };
}

/** Messages a person sent in the sessions one user owns since `since` (their daily allowance). */
export function countUserMessagesSince(ownerId: string, since: Date): Promise<number> {
  return db().message.count({ where: { role: "user", createdAt: { gte: since }, session: { ownerId } } });
}

/** The external id of the session of a message (its id as the path gives it), or null when there is none. */
export async function sessionIdOfMessage(id: string): Promise<string | null> {
  if (!/^\d{1,15}$/.test(id)) return null;
  const row = await db().message.findUnique({
    where: { id: Number(id) },
    select: { session: { select: { sessionId: true } } },
  });
  return row?.session.sessionId ?? null;
}

export function getMessage(id: number) {
  return db().message.findUnique({ where: { id }, include: messageInclude });
}

/** The guidance sent to a running run (its user messages other than the one it answers), oldest first. */
export async function steersOf(runId: number, except: number[]): Promise<MessageRow[]> {
  const skip = new Set(except);
  // By the run alone: a run has a few messages, and with the role in the query the planner may
  // take the (role, created_at) index and walk every user message of every session.
  const rows = await sql().all(`SELECT ${messageColumns} FROM message m WHERE m.run_id = ?`, [runId]);
  // A person's messages have no agent.
  return rows
    .map(messageOf)
    .filter((m) => m.role === "user" && !skip.has(m.id))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id)
    .map((m) => ({ ...m, agent: null }));
}

/**
 * What a continuation resumes: the runs of the resume chain (`runId`, the run it resumes, …) and,
 * per agent, its latest message among them and whether it was cut short (so it goes on from it).
 */
export async function resumedWork(runId: number) {
  const runIds: number[] = [];
  for (let id: number | null = runId; id !== null && !runIds.includes(id); ) {
    runIds.push(id);
    const row: { resumesRunId: number | null } | null = await db().runLog.findUnique({
      where: { id },
      select: { resumesRunId: true },
    });
    id = row?.resumesRunId ?? null;
  }
  const messages = await db().message.findMany({
    where: { role: "agent", runId: { in: runIds } },
    include: messageInclude,
    orderBy: { id: "asc" },
  });
  const byAgent = new Map<number, { message: MessageRow; cut: boolean }>();
  for (const m of messages) {
    if (m.agentId === null) continue;
    const meta = (m.metadata ?? {}) as Record<string, unknown>;
    const cut =
      meta.partial === true || meta.cancelled === true || meta.interrupted === true || meta.streaming === true;
    byAgent.set(m.agentId, { message: m, cut });
  }
  return { runIds, byAgent };
}

/**
 * What a run stored, its user message first: the ids its end recorded (a continuation's grown
 * message among them), its own messages and the message it answers.
 */
export async function runTurnMessages(run: { id: number; userMessageId: number | null; extra: unknown }) {
  const recorded = (run.extra as { messages?: unknown } | null)?.messages;
  const ids = Array.isArray(recorded) ? recorded.filter((id): id is number => typeof id === "number") : [];
  const rows = await db().message.findMany({
    where: { OR: [{ runId: run.id }, { id: { in: [...ids, run.userMessageId ?? -1] } }] },
    include: messageInclude,
    orderBy: { id: "asc" },
  });
  const user = rows.findIndex((m) => m.id === run.userMessageId);
  if (user > 0) rows.unshift(...rows.splice(user, 1));
  return rows;
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
  /** The run that writes it. */
  runId?: number;
  role: MessageRole;
  /** The agent row the caller already holds: attached to the stored message as is, not read again. */
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

/** A message as stored: its agent by id (createMessage attaches the row the caller holds). */
export type StoredMessageInput = Omit<NewMessage, "agent"> & { agentId?: number | null };

/**
 * Stores a message, and moves its session's last activity (`lastMessageAt`, the sidebar's order)
 * to the message's time. Every message is stored through here, inside the caller's transaction.
 */
export async function storeMessage(tx: Sql, m: StoredMessageInput): Promise<MessageFields> {
  const now = new Date();
  const [row] = await tx.all(
    `INSERT INTO message (session_id, run_id, role, agent_id, content, tool_name, tool_input, tool_output,
       tokens_prompt, tokens_completion, latency_ms, metadata, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${messageReturning}`,
    [
      m.sessionPk,
      m.runId ?? null,
      m.role,
      m.agentId ?? null,
      m.content ?? "",
      m.toolName ?? "",
      jsonText(m.toolInput),
      jsonText(m.toolOutput),
      m.tokensPrompt ?? null,
      m.tokensCompletion ?? null,
      m.latencyMs ?? null,
      jsonText(m.metadata),
      now,
      now,
    ],
  );
  await touchLastMessage(tx, m.sessionPk, now);
  return messageOf(row);
}

/** The session's last activity is now `at` (a message was stored, or a queued one joined the history). */
export async function touchLastMessage(tx: Sql, sessionPk: number, at: Date) {
  await tx.run("UPDATE chat_session SET last_message_at = ?, updated_at = ? WHERE id = ?", [at, at, sessionPk]);
}

export async function createMessage(m: NewMessage): Promise<MessageRow> {
  const { agent, ...fields } = m;
  const row = await sql().transaction((tx) => storeMessage(tx, { ...fields, agentId: agent?.id ?? null }));
  return { ...row, agent: agent ?? null };
}

/** Streaming messages' texts so far, by message id, in one transaction (their metadata still says `streaming`). */
export async function saveMessageTexts(texts: Map<number, string>): Promise<void> {
  const now = new Date();
  await sql().transaction(async (tx) => {
    for (const [id, content] of texts)
      await tx.run("UPDATE message SET content = ?, updated_at = ? WHERE id = ?", [content, now, id]);
  });
}

export async function updateMessage(
  id: number,
  m: Pick<NewMessage, "agent" | "content" | "tokensPrompt" | "tokensCompletion" | "latencyMs" | "metadata">,
): Promise<MessageRow> {
  const [row] = await sql().all(
    `UPDATE message SET content = ?, tokens_prompt = ?, tokens_completion = ?, latency_ms = ?, metadata = ?, updated_at = ?
     WHERE id = ? RETURNING ${messageReturning}`,
    [
      m.content ?? "",
      m.tokensPrompt ?? null,
      m.tokensCompletion ?? null,
      m.latencyMs ?? null,
      jsonText(m.metadata),
      new Date(),
      id,
    ],
  );
  if (!row) throw notFound();
  return { ...messageOf(row), agent: m.agent ?? null };
}

/** Sets a message's rating (1, -1 or null); the row comes with its session's public id, to announce the change. */
export function setMessageRating(id: number, rating: number | null) {
  return db().message.update({
    where: { id },
    data: { rating },
    include: { ...messageInclude, session: { select: { sessionId: true } } },
  });
}

/**
 * The metadata of a message whose run stopped writing it (a crash, a chat exported mid-run): its
 * text stays, no longer streaming (so search indexes it), marked interrupted.
 */
export function interruptedMetadata(meta: Record<string, unknown>) {
  return { ...meta, streaming: false, interrupted: true };
}

/** Marks the agent messages a run was still writing when it was interrupted; their text stays. */
export async function markInterruptedMessages(sessionPk: number, since: Date): Promise<void> {
  const unfinished = await db().message.findMany({
    where: { sessionId: sessionPk, role: "agent", createdAt: { gte: since } },
  });
  for (const m of unfinished) {
    const meta = m.metadata as Record<string, unknown> | null;
    if (meta?.streaming !== true) continue;
    await db().message.update({ where: { id: m.id }, data: { metadata: interruptedMetadata(meta) } });
  }
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
  return db().message.findUnique({
    where: { id },
    include: { agent: true, session: { select: { sessionId: true, title: true } } },
  });
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

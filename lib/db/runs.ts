/**
 * Run logs and the session's run slot: one run at a time per session, held in the slot, kept
 * alive by a lease (lib/runs owns the lifecycle; these are its reads and writes).
 */

import { Prisma } from "@/generated/sqlite/client";
import type { RunStatus } from "@/generated/sqlite/enums";
import { notFound, TandemError } from "@/lib/errors";
import { db, sql } from "./connection";
import { type MessageRow, storeMessage, touchLastMessage } from "./messages";
import { type AdminPage, type Json, newestFirst, type Page, postgres } from "./orm";
import { agentColumns, agentOf, messageColumns, messageOf, runLogColumns, runLogOf, runLogReturning } from "./rows";
import { sessionPkOf } from "./sessions";
import { intOrNull, jsonText, type Sql } from "./sql";
import { pathEnd } from "./turns";

export type RunLogRow = Prisma.RunLogGetPayload<object>;

export type RunKind = "send" | "regenerate" | "edit" | "retry" | "continue";

/** The session's queue is full: nothing was stored. */
export class QueueFull extends Error {
  override name = "QueueFull";
}

export interface NewRun {
  sessionPk: number;
  kind: RunKind;
  /** A new user message (send, edit), stored with the run and belonging to it. */
  content?: string;
  metadata?: Json;
  /** The existing user message the run answers (regenerate, retry, continue). */
  userMessageId?: number;
  /** Where the run hangs (regenerate, edit, retry, continue); a send hangs below the path's end when it starts. */
  parentRunId?: number | null;
  resumesRunId?: number;
  instanceId: string;
  leaseMs: number;
  queueLimit: number;
}

/** A run that has just started on this instance, with its user message. */
export interface StartedRun {
  run: RunLogRow;
  message: MessageRow;
  sessionId: string;
}

/**
 * Opens a run in one transaction: its user message (when it brings one) and its run log, which
 * takes the session's run slot when the slot is free and nobody is queued (then it starts at
 * once: `position` 0), else waits in the queue (`position` n: n-th in line). Past `queueLimit`
 * waiting runs it throws QueueFull and nothing is stored. The slot is taken with a conditional
 * update, so two instances sharing the database can never both start a run of one session.
 */
export async function openRun(input: NewRun): Promise<{ run: RunLogRow; message: MessageRow; position: number }> {
  return sql().transaction(async (tx) => {
    const now = new Date();
    const [inserted] = await tx.all<{ id: number }>(
      `INSERT INTO run_log (session_id, status, kind, parent_run_id, user_message_id, resumes_run_id, details, instance_id, created_at, updated_at)
       VALUES (?, 'queued', ?, ?, ?, ?, '', '', ?, ?) RETURNING id`,
      [
        input.sessionPk,
        input.kind,
        input.parentRunId ?? null,
        input.userMessageId ?? null,
        input.resumesRunId ?? null,
        now,
        now,
      ],
    );
    const run = { id: Number(inserted.id), kind: input.kind, parentRunId: input.parentRunId ?? null };
    let userMessageId = input.userMessageId ?? null;
    if (input.content !== undefined) {
      const message = await storeMessage(tx, {
        sessionPk: input.sessionPk,
        role: "user",
        content: input.content,
        runId: run.id,
        metadata: input.metadata,
      });
      userMessageId = message.id;
      await tx.run("UPDATE run_log SET user_message_id = ? WHERE id = ?", [message.id, run.id]);
    }
    const [{ n }] = await tx.all<{ n: number }>(
      "SELECT COUNT(*) AS n FROM run_log WHERE session_id = ? AND status = 'queued' AND id < ?",
      [input.sessionPk, run.id],
    );
    const ahead = Number(n);
    if (ahead === 0) {
      if (await takeSlot(tx, input.sessionPk, run.id))
        return { ...(await begin(tx, { ...run, userMessageId }, input)), position: 0 };
    }
    if (ahead >= input.queueLimit) throw new QueueFull();
    const [row] = await tx.all(`SELECT ${runLogColumns} FROM run_log r WHERE r.id = ?`, [run.id]);
    return { run: runLogOf(row), message: await userMessageOf(tx, userMessageId), position: ahead + 1 };
  });
}

/**
 * Starts the session's next queued run (FIFO by id) on this instance when its slot is free: takes
 * the slot and flips the run to `running` with this instance's lease, in one transaction. Null
 * when the slot is taken or nobody waits.
 */
export async function startNextQueued(input: {
  sessionPk: number;
  instanceId: string;
  leaseMs: number;
}): Promise<StartedRun | null> {
  for (;;) {
    try {
      return await sql().transaction(async (tx) => {
        const [next] = await tx.all(
          `SELECT ${runLogColumns}, s.session_id AS s_session_id FROM run_log r JOIN chat_session s ON s.id = r.session_id
           WHERE r.session_id = ? AND r.status = 'queued' ORDER BY r.id LIMIT 1`,
          [input.sessionPk],
        );
        if (!next) return null;
        if (!(await takeSlot(tx, input.sessionPk, Number(next.r_id)))) return null;
        return { ...(await begin(tx, runLogOf(next), input)), sessionId: String(next.s_session_id) };
      });
    } catch (e) {
      // The run was removed from the queue meanwhile: try the next one.
      if (!(e instanceof QueueMoved)) throw e;
    }
  }
}

class QueueMoved extends Error {}

/** The session's run slot goes to `runId` if it is free: a conditional update, so one taker wins. */
async function takeSlot(tx: Sql, sessionPk: number, runId: number): Promise<boolean> {
  const took = await tx.run(
    "UPDATE chat_session SET active_run_id = ?, updated_at = ? WHERE id = ? AND active_run_id IS NULL",
    [runId, new Date(), sessionPk],
  );
  return took === 1;
}

/**
 * A run takes the slot it was given: `running` with a lease, below the path's end (a send) or
 * its fixed fork point, the session's head; its own user message joins the history now.
 */
async function begin(
  tx: Sql,
  run: { id: number; kind: string; parentRunId: number | null; userMessageId: number | null },
  input: { sessionPk: number; instanceId: string; leaseMs: number },
): Promise<{ run: RunLogRow; message: MessageRow }> {
  const now = new Date();
  const parentRunId = run.kind === "send" ? await pathEnd(input.sessionPk, tx) : run.parentRunId;
  const [started] = await tx.all(
    `UPDATE run_log SET status = 'running', instance_id = ?, lease_expires_at = ?, parent_run_id = ?, created_at = ?, updated_at = ?
     WHERE id = ? AND status = 'queued' RETURNING ${runLogReturning}`,
    [input.instanceId, new Date(now.getTime() + input.leaseMs), parentRunId, now, now, run.id],
  );
  if (!started) throw new QueueMoved(); // rolls the slot back
  await tx.run("UPDATE chat_session SET head_run_id = ?, updated_at = ? WHERE id = ?", [run.id, now, input.sessionPk]);
  const joined = await tx.run("UPDATE message SET created_at = ?, updated_at = ? WHERE id = ? AND run_id = ?", [
    now,
    now,
    run.userMessageId ?? -1,
    run.id,
  ]);
  if (joined > 0) await touchLastMessage(tx, input.sessionPk, now);
  return { run: runLogOf(started), message: await userMessageOf(tx, run.userMessageId) };
}

async function userMessageOf(tx: Sql, id: number | null): Promise<MessageRow> {
  const [row] = await tx.all(
    `SELECT ${messageColumns}, ${agentColumns} FROM message m LEFT JOIN agent a ON a.id = m.agent_id WHERE m.id = ?`,
    [id ?? -1],
  );
  if (!row) throw notFound();
  return { ...messageOf(row), agent: agentOf(row) };
}

/** Sessions whose slot is free while runs wait in their queue (their instance died, or a start was missed). */
export async function sessionsWithWaitingQueue(): Promise<{ id: number; sessionId: string }[]> {
  const rows = await db().runLog.findMany({
    where: { status: "queued", session: { activeRunId: null } },
    select: { session: { select: { id: true, sessionId: true } } },
    distinct: ["sessionId"],
  });
  return rows.map((r) => r.session);
}

/** The session's queued runs in order, with the user message each answers. */
export async function queuedRuns(sessionPk: number) {
  const runs = await db().runLog.findMany({
    where: { sessionId: sessionPk, status: "queued" },
    orderBy: { id: "asc" },
  });
  const messages = await db().message.findMany({
    where: { id: { in: runs.map((r) => r.userMessageId ?? -1) } },
    include: { agent: true },
  });
  return runs.map((run, i) => ({ run, position: i + 1, message: messages.find((m) => m.id === run.userMessageId)! }));
}

/**
 * Removes queued runs (`"all"`: the whole queue) with the user messages they brought, in one
 * transaction; the ids removed (a run that started meanwhile stays).
 */
export async function removeQueuedRuns(sessionPk: number, runIds: number[] | "all"): Promise<number[]> {
  return db().$transaction(async (tx) => {
    const runs = await tx.runLog.findMany({
      where: { sessionId: sessionPk, status: "queued", ...(runIds === "all" ? {} : { id: { in: runIds } }) },
      select: { id: true },
    });
    const ids = runs.map((r) => r.id);
    // Messages first: deleting the run would keep them, unlinked, as if from before runs.
    await tx.message.deleteMany({ where: { runId: { in: ids } } });
    const { count } = await tx.runLog.deleteMany({ where: { id: { in: ids }, status: "queued" } });
    if (count !== ids.length) throw new TandemError("conflict", "A queued run started meanwhile; try again.");
    return ids;
  });
}

/** Changes the text of a queued run's own user message. */
export async function editQueuedMessage(sessionPk: number, runId: number, content: string): Promise<MessageRow> {
  return db().$transaction(async (tx) => {
    const run = await tx.runLog.findFirst({ where: { id: runId, sessionId: sessionPk } });
    if (!run) throw notFound();
    if (run.status !== "queued") throw new TandemError("conflict", "This run has already started.");
    const { count } = await tx.message.updateMany({
      where: { id: run.userMessageId ?? -1, runId },
      data: { content },
    });
    if (count === 0) throw new TandemError("conflict", "This queued run has no message of its own to edit.");
    // Still queued, checked after the write: a start in between rolls this edit back.
    const still = await tx.runLog.updateMany({
      where: { id: runId, status: "queued" },
      data: { updatedAt: new Date() },
    });
    if (still.count === 0) throw new TandemError("conflict", "This run has already started.");
    return tx.message.findUniqueOrThrow({ where: { id: run.userMessageId ?? -1 }, include: { agent: true } });
  });
}

/**
 * Guidance for the session's running run: stored at once as a user message of that run (metadata
 * `steer`). Null when no run is going.
 */
export async function addSteer(
  sessionPk: number,
  content: string,
): Promise<{ runId: number; message: MessageRow } | null> {
  return sql().transaction(async (tx) => {
    const [session] = await tx.all<{ active_run_id: number | null }>(
      "SELECT active_run_id FROM chat_session WHERE id = ?",
      [sessionPk],
    );
    const runId = intOrNull(session?.active_run_id);
    if (!runId) return null;
    const message = await storeMessage(tx, { sessionPk, role: "user", content, runId, metadata: { steer: true } });
    return { runId, message: { ...message, agent: null } };
  });
}

/**
 * Ends a run and frees the session's slot. `changed` is false when the run had already ended
 * (say, cancelled through another instance), so its end is announced exactly once.
 */
export async function finishRun(input: {
  runId: number;
  sessionPk: number;
  status: Exclude<RunStatus, "running" | "queued">;
  details: string;
  /** What the run did (duration, tokens, per-agent metrics, messages), kept as JSON. */
  extra: Record<string, unknown>;
}): Promise<{ changed: boolean }> {
  return sql().transaction(async (tx) => {
    const now = new Date();
    const ended = await tx.run(
      `UPDATE run_log SET status = ?, details = ?, extra = ?, lease_expires_at = NULL, updated_at = ?
       WHERE id = ? AND status = 'running'`,
      [input.status, input.details, jsonText(input.extra), now, input.runId],
    );
    await tx.run("UPDATE chat_session SET active_run_id = NULL, updated_at = ? WHERE id = ? AND active_run_id = ?", [
      now,
      input.sessionPk,
      input.runId,
    ]);
    return { changed: ended === 1 };
  });
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

/** A slot can only outlive its run if a finish was cut short; frees any such slot. */
export async function freeOrphanedRunSlots(): Promise<void> {
  await db()
    .$executeRaw`UPDATE chat_session SET active_run_id = NULL WHERE active_run_id IS NOT NULL AND active_run_id NOT IN (SELECT id FROM run_log WHERE status = 'running')`;
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
  const include = {
    agent: { select: { id: true, name: true } },
    session: { select: { sessionId: true, title: true } },
  };
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
    db().$queryRaw<
      { id: number }[]
    >`SELECT r.id FROM run_log r WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT ${limit} OFFSET ${offset}`,
    db().$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM run_log r WHERE ${where}`,
  ]);
  const ids = hits.map((h) => Number(h.id));
  const rows = await db().runLog.findMany({ where: { id: { in: ids } }, include });
  rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
  return { rows, total: Number(counted[0]?.n ?? 0) };
}

export function getRunDetail(id: number) {
  return db().runLog.findUnique({
    where: { id },
    include: { agent: true, session: { select: { sessionId: true, title: true } } },
  });
}

/** Makes `runId` the session's head run, unless a run is going (false then). */
export async function selectHeadRun(sessionPk: number, runId: number): Promise<boolean> {
  const { count } = await db().chatSession.updateMany({
    where: { id: sessionPk, activeRunId: null },
    data: { headRunId: runId },
  });
  return count === 1;
}

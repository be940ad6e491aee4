/**
 * Run logs and the session's run slot: one run at a time per session, held in the slot, kept
 * alive by a lease (lib/runs owns the lifecycle; these are its reads and writes).
 */

import { Prisma } from "@/generated/sqlite/client";
import type { RunStatus } from "@/generated/sqlite/enums";
import { TandemError } from "@/lib/errors";
import { db } from "./connection";
import type { MessageRow } from "./messages";
import { type AdminPage, newestFirst, type Page, postgres } from "./orm";
import { sessionPkOf } from "./sessions";

export type RunLogRow = Prisma.RunLogGetPayload<object>;

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
    throw new TandemError(
      "conflict",
      "A run is already in progress for this session; wait for it to finish or cancel it.",
      {
        extra: { run_id: busy?.activeRunId ?? null },
      },
    );
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
      data: {
        status: input.status,
        details: input.details,
        extra: input.extra as Prisma.InputJsonValue,
        leaseExpiresAt: null,
      },
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

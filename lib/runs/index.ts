/**
 * The run lifecycle: how a run opens, ends, is cancelled (here or on another instance), is kept
 * alive by its lease and recovered when its instance died, and what a graceful stop does to it.
 * The agents' work inside a run is the engine's (lib/agents/engine.ts); the data writes are
 * lib/db's; every sentence about how a run ended is in ./reasons.ts.
 *
 * A run opens with the user's message and its run log in one transaction. It takes the session's
 * single run slot at once when the slot is free and nobody waits; otherwise it waits `queued` in
 * the database (FIFO per session by id, at most TANDEM_QUEUE_LIMIT, 429 beyond). Whichever
 * instance ends a run starts the session's next queued run (a conditional update takes the slot,
 * so one instance wins); the recovery timer and start-up do the same for sessions whose slot is
 * free while runs wait (the instance that held it died). A sync send waits for its own run: the
 * local promise when this instance runs it, else the run's status in the database.
 *
 *   queued ─(slot free, first in line)─▶ starting
 *
 * On the instance that starts it, a run is then a `LiveRun`:
 *
 *   starting ─begin─▶ running ──(the agents finish)─────────────────────────▶ ended  success
 *      │                 │ ───(a turn throws: model, time limit, database)────▶ ended  error
 *      │                 ├─cancel─▶ cancelling ──(the engine unwinds)────────▶ ended  cancelled
 *      │                 ├─stop───▶ stopping   ──(the engine unwinds)────────▶ ended  error (shutdown)
 *      │                 └─fail───▶ failed     ──(the engine unwinds)────────▶ ended  error (the failure)
 *      └─cancel/stop: the agents never start ─────────────────────────────────▶ ended  cancelled/error
 *
 * `stop` is shutdown once the grace period is over; `fail` is for failures the engine's own
 * error path would not carry (a tool call that cannot be stored, which the SDK would hand to the
 * model as the tool's result; a partial-text write that fails off the token path). The first
 * stop wins (a cancel during shutdown stays a shutdown). `cancel`, `stop` and `fail` abort the
 * run's signal, the engine's turn loop throws, and `LiveRun.outcome` turns the state and that
 * error into the outcome; agents that all finished make a success even if a stop came late.
 *
 * `ended` means recorded and announced, through `end`, the one way any run ends (a live one, a
 * remote cancel, a recovery): it records the terminal status (which frees the slot) and, only if
 * that is what ended the run, publishes the one terminal event (`run_completed`, `run_cancelled`
 * or `run_error`, payload `{run_id, session_id[, error]}`), so each end is announced once. When
 * even that write fails, the owner still announces the real reason, frees its live slot, and
 * retries the write at each lease renewal, renewing that run's lease meanwhile (so no instance
 * calls it interrupted unless the owner stops, or cannot renew either, first).
 *
 * Across instances the database is the truth: a cancel sent to another instance ends the run
 * there, and the owner sees at its next lease renewal that its run is no longer `running` and
 * cancels it locally (its own `end` then changes nothing and announces nothing). A run whose
 * lease lapsed is ended by whichever instance notices (`interrupted`).
 *
 * Steering adds guidance to a `running` run (a user message of that run, read by the engine
 * before each agent's turn); regenerate, edit, retry and continue (./versions.ts) open a run from
 * another point of the conversation's tree (lib/db/turns.ts) through the same queue.
 */
import { hostname } from "node:os";
import { collaborate } from "@/lib/agents/engine";
import { messageJson } from "@/lib/contract/serialize";
import type { Message } from "@/lib/contract/types";
import { type MessageRow, markInterruptedMessages, runTurnMessages } from "@/lib/db/messages";
import {
  addSteer,
  finishRun,
  freeOrphanedRunSlots,
  getRun,
  lapsedRuns,
  type NewRun,
  openRun,
  queuedRuns,
  type RunLogRow,
  removeQueuedRuns,
  renewRunLeases,
  sessionsWithWaitingQueue,
  startNextQueued,
} from "@/lib/db/runs";
import { requireSessionKey } from "@/lib/db/sessions";
import { env } from "@/lib/env";
import { TandemError } from "@/lib/errors";
import { log } from "@/lib/log";
import { publish } from "@/lib/realtime/hub";
import { titleAfterFirstRun } from "@/lib/sessions/titles";
import { singleton } from "@/lib/singleton";
import { LiveRun } from "./live-run";
import { announceQueue } from "./queue";
import { type Outcome, reasons } from "./reasons";

// ---------------------------------------------------------------------------------------------
// 1. This process's runs
// ---------------------------------------------------------------------------------------------

/** Which run an end is about. */
interface RunRef {
  runId: number;
  sessionPk: number;
  sessionId: string;
}

/** An end this instance announced but could not record yet. */
interface UnrecordedEnd {
  run: RunRef;
  outcome: Outcome;
  extra: Record<string, unknown>;
}

interface Runs {
  instanceId: string;
  live: Map<number, { run: LiveRun; done: Promise<RunOutcome> }>;
  unrecorded: Map<number, UnrecordedEnd>;
  accepting: boolean;
  timers: NodeJS.Timeout[];
}

const runs = () =>
  singleton<Runs>("runs", () => ({
    instanceId: env.TANDEM_INSTANCE_ID ?? `${hostname()}:${env.PORT}`,
    live: new Map(),
    unrecorded: new Map(),
    accepting: true,
    timers: [],
  }));

export interface RunOutcome {
  runId: number;
  status: "success" | "error" | "cancelled";
  error?: string;
  messages: MessageRow[];
}

// ---------------------------------------------------------------------------------------------
// 2. Public surface
// ---------------------------------------------------------------------------------------------

export type SendResult =
  | { kind: "accepted"; runId: number; message: Message; status: "running" | "queued"; position: number }
  | { kind: "steering"; runId: number; message: Message }
  | { kind: "completed"; outcome: RunOutcome };

/** How the caller wants the answer: at once (`async`, the run reports over the WebSocket) or when the run ended. */
export interface Delivery {
  async: boolean;
  /**
   * Schedules an async run's start, so that the acknowledgement goes out before the agents'
   * first work (the route passes Next's `after`); by default it starts at once.
   */
  startAfter?: (start: () => void) => void;
}

type SessionKey = Awaited<ReturnType<typeof requireSessionKey>>;

/**
 * Stores the user's message and runs the session's agents, or queues it behind the running run.
 * `steer`: while a run is going, the message joins that run as guidance instead (stored and
 * announced at once); with no run going it is an ordinary send.
 */
export async function sendMessage(
  input: { sessionId: string; content: string; steer?: boolean } & Delivery,
): Promise<SendResult> {
  requireAccepting();
  const session = await requireSessionKey(input.sessionId);
  if (input.steer) {
    const steer = await addSteer(session.id, input.content);
    if (steer) {
      const message = messageJson(steer.message);
      publish(session.sessionId, "message_created", { message_id: message.id, message, run_id: steer.runId });
      return { kind: "steering", runId: steer.runId, message };
    }
  }
  return openTurn(session, { kind: "send", content: input.content }, input);
}

type TurnSpec = Omit<NewRun, "sessionPk" | "instanceId" | "leaseMs" | "queueLimit">;

/** Opens a run (send, regenerate, edit, retry, continue): started at once or queued; answered as `delivery` asks. */
export async function openTurn(session: SessionKey, spec: TurnSpec, delivery: Delivery): Promise<SendResult> {
  requireAccepting();
  const opened = await openRun({
    ...spec,
    sessionPk: session.id,
    instanceId: runs().instanceId,
    leaseMs: env.TANDEM_RUN_LEASE_MS,
    queueLimit: env.TANDEM_QUEUE_LIMIT,
  }).catch((e) => {
    if (e instanceof Error && e.name === "QueueFull") {
      throw new TandemError(
        "rate_limited",
        `This session already has ${env.TANDEM_QUEUE_LIMIT} messages waiting (TANDEM_QUEUE_LIMIT); wait for a run to finish or remove one from the queue.`,
      );
    }
    throw e;
  });
  const { run, message, position } = opened;
  let done: Promise<RunOutcome> | undefined;
  if (position === 0) {
    done = launch(liveRun(run, session, message), delivery.async ? delivery.startAfter : undefined);
  } else {
    publish(session.sessionId, "run_queued", {
      session_id: session.sessionId,
      run_id: run.id,
      position,
      message: messageJson(message),
    });
    // Off the acknowledgement's path: a queued send answers as fast as one that starts.
    announceQueue(session).catch((err) =>
      log.warn({ err, session_id: session.sessionId }, "could not announce the queue"),
    );
    // The slot may have been freed between two runs: whoever is first in line starts now.
    void startNext(session);
  }
  const json = messageJson(message);
  if (delivery.async) {
    return { kind: "accepted", runId: run.id, message: json, status: position ? "queued" : "running", position };
  }
  return { kind: "completed", outcome: await (done ?? waitForRun(run.id)) };
}

/** Stops the session's running run; resolves once it is recorded as cancelled. The queue stays unless `clearQueue`. */
export async function cancelRun(
  sessionId: string,
  { clearQueue = false } = {},
): Promise<{ run_id: number; status: "cancelled"; queue: { pending: number; next_run_id: number | null } }> {
  const session = await requireSessionKey(sessionId);
  const runId = session.activeRunId;
  if (runId === null) throw new TandemError("conflict", "No run is in progress for this session.");
  if (clearQueue) {
    await removeQueuedRuns(session.id, "all");
    await announceQueue(session);
  }
  const waiting = await queuedRuns(session.id);
  const answer = {
    run_id: runId,
    status: "cancelled" as const,
    queue: { pending: waiting.length, next_run_id: waiting[0]?.run.id ?? null },
  };
  const local = runs().live.get(runId);
  if (local) {
    local.run.cancel();
    await local.done;
    return answer;
  }
  // Another instance runs it: end it in the database; that instance sees it at its next lease
  // renewal and stops its model request.
  const ref = { runId, sessionPk: session.id, sessionId: session.sessionId };
  if (!(await end(ref, { status: "cancelled" }, { cancelled: true }))) {
    throw new TandemError("conflict", "No run is in progress for this session.");
  }
  return answer;
}

/** Starts lease renewal and recovery of runs whose instance died (call once, at start-up). */
export async function startRunMaintenance(): Promise<void> {
  const r = runs();
  await recover(true);
  const renewEvery = Math.max(250, Math.min(2000, Math.floor(env.TANDEM_RUN_LEASE_MS / 3)));
  r.timers.push(
    setInterval(() => void renewLeases().catch((err) => log.warn({ err }, "lease renewal failed")), renewEvery),
  );
  r.timers.push(
    setInterval(
      () => void recover(false).catch((err) => log.warn({ err }, "run recovery failed")),
      env.TANDEM_RUN_LEASE_MS,
    ),
  );
  for (const t of r.timers) t.unref();
}

/**
 * Graceful shutdown: refuse new sends, let running runs finish for up to `graceMs`, then stop
 * the rest (recorded as errors a person can act on).
 */
export async function shutdownRuns(graceMs: number): Promise<void> {
  const r = runs();
  r.accepting = false;
  for (const t of r.timers) clearInterval(t);
  r.timers = [];
  const all = () => Promise.all([...r.live.values()].map((l) => l.done));
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), graceMs)));
  const result = await Promise.race([all(), graceOver]);
  clearTimeout(timer);
  if (result === "late") {
    for (const { run } of r.live.values()) run.stop();
    await all();
  }
}

export const liveRunCount = () => runs().live.size;

function requireAccepting() {
  if (!runs().accepting) throw new TandemError("unavailable", "The server is shutting down; try again shortly.");
}

// ---------------------------------------------------------------------------------------------
// 3. A run of this process, from start to end
// ---------------------------------------------------------------------------------------------

const liveRun = (run: RunLogRow, session: { id: number; sessionId: string }, message: MessageRow) =>
  new LiveRun(run.id, session.id, session.sessionId, message, {
    kind: run.kind as LiveRun["turn"]["kind"],
    parentRunId: run.parentRunId,
    resumesRunId: run.resumesRunId,
  });

/** Starts the session's next queued run on this instance if its slot is free (see `startNextQueued`). */
async function startNext(session: { id: number; sessionId: string }): Promise<void> {
  if (!runs().accepting) return; // a stopping server leaves the queue to the next instance
  try {
    const started = await startNextQueued({
      sessionPk: session.id,
      instanceId: runs().instanceId,
      leaseMs: env.TANDEM_RUN_LEASE_MS,
    });
    if (!started) return;
    launch(liveRun(started.run, session, started.message));
    await announceQueue(session);
  } catch (err) {
    // The recovery timer tries again for sessions whose slot is free while runs wait.
    log.warn({ err, session_id: session.sessionId }, "could not start the next queued run");
  }
}

const POLL_MS = 150;

/**
 * A queued run's outcome, for a sync send: the local promise once this instance runs it, else
 * its status in the database (another instance runs it) until it ends.
 */
async function waitForRun(runId: number): Promise<RunOutcome> {
  for (;;) {
    const local = runs().live.get(runId);
    if (local) return local.done;
    const row = await getRun(runId);
    if (!row) throw new TandemError("conflict", "The message was removed from the queue before it ran.");
    if (row.status === "success" || row.status === "error" || row.status === "cancelled") {
      return {
        runId,
        status: row.status,
        error: row.status === "error" ? row.details : undefined,
        messages: await runTurnMessages(row),
      };
    }
    if (!runs().accepting) {
      throw new TandemError("unavailable", "The server is shutting down; the message stays queued and will run.", {
        extra: { run_id: runId },
      });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function launch(run: LiveRun, startAfter: (start: () => void) => void = (start) => start()): Promise<RunOutcome> {
  // Registered at once, so a cancel or a shutdown finds the run even before it has started.
  const started = new Promise<void>((resolve) => startAfter(resolve));
  const done = started.then(() => execute(run)).finally(() => runs().live.delete(run.runId));
  runs().live.set(run.runId, { run, done });
  return done;
}

async function execute(run: LiveRun): Promise<RunOutcome> {
  const started = performance.now();
  const [userMessage] = run.messages;
  publish(run.sessionId, "run_started", {
    session_id: run.sessionId,
    run_id: run.runId,
    kind: run.turn.kind,
    parent_run_id: run.turn.parentRunId,
    user_message_id: userMessage.id,
  });
  // A run's own message joins the history now; a regenerated turn's message is there already.
  if (userMessage.runId === run.runId) {
    publish(run.sessionId, "message_created", {
      message_id: userMessage.id,
      message: messageJson(userMessage),
      run_id: run.runId,
    });
  }

  let error: unknown;
  try {
    if (run.begin()) await collaborate(run, userMessage);
    else error = run.signal.reason;
  } catch (e) {
    error = e;
  }
  const outcome = run.outcome(error);
  const agents = run.agents;
  await end(
    run,
    outcome,
    {
      duration_ms: Math.round(performance.now() - started),
      tokens_prompt: agents.reduce((n, m) => n + m.tokens_prompt, 0),
      tokens_completion: agents.reduce((n, m) => n + m.tokens_completion, 0),
      agents,
      ...(run.process && { process: run.process }),
      messages: run.messages.map((m) => m.id),
    },
    { owner: true },
  );
  run.ended();
  if (outcome.status === "success") void titleAfterFirstRun(run.sessionId);
  return {
    runId: run.runId,
    status: outcome.status,
    error: outcome.status === "error" ? outcome.error : undefined,
    messages: [...run.messages].sort((a, b) => a.id - b.id),
  };
}

// ---------------------------------------------------------------------------------------------
// 4. The end of a run: recorded once, announced once
// ---------------------------------------------------------------------------------------------

/**
 * Records the run's terminal status (freeing the session's slot) and, when this is what ended
 * it, publishes its one terminal event. Returns whether this call ended the run. `owner`: this
 * process ran it, so the end is announced even when it cannot be recorded (the write is then
 * retried at each lease renewal); otherwise a failed write throws and nothing is announced.
 */
async function end(
  run: RunRef,
  outcome: Outcome,
  extra: Record<string, unknown>,
  { owner = false } = {},
): Promise<boolean> {
  const ids = { run_id: run.runId, session_id: run.sessionId };
  let ended: boolean;
  try {
    ended = await record({ run, outcome, extra });
    // The slot is free: the session's next queued run starts (on this instance).
    if (ended) void startNext({ id: run.sessionPk, sessionId: run.sessionId });
  } catch (err) {
    if (!owner) throw err;
    log.warn({ ...ids, err }, "could not record the end of a run; retrying at each lease renewal");
    runs().unrecorded.set(run.runId, { run, outcome, extra });
    ended = true;
  }
  if (!ended) return false;
  if (outcome.status === "error") log.warn({ ...ids, reason: outcome.error, err: outcome.cause }, "run failed");
  const { event, payload } = terminalEvent(run, outcome);
  publish(run.sessionId, event, payload);
  return true;
}

function record({ run, outcome, extra }: UnrecordedEnd): Promise<boolean> {
  return finishRun({
    runId: run.runId,
    sessionPk: run.sessionPk,
    status: outcome.status,
    details: reasons.details(outcome),
    extra: outcome.status === "error" ? { ...extra, error: outcome.error } : extra,
  }).then((r) => r.changed);
}

function terminalEvent(run: RunRef, outcome: Outcome) {
  const payload = { run_id: run.runId, session_id: run.sessionId };
  if (outcome.status === "success") return { event: "run_completed", payload } as const;
  if (outcome.status === "cancelled") return { event: "run_cancelled", payload } as const;
  return { event: "run_error", payload: { ...payload, error: outcome.error } } as const;
}

// ---------------------------------------------------------------------------------------------
// 5. Leases and recovery
// ---------------------------------------------------------------------------------------------

async function renewLeases() {
  const r = runs();
  for (const pending of [...r.unrecorded.values()]) {
    await record(pending).then(
      () => {
        r.unrecorded.delete(pending.run.runId);
        void startNext({ id: pending.run.sessionPk, sessionId: pending.run.sessionId });
      },
      () => undefined, // still failing: try again next time
    );
  }
  // Unrecorded ends keep their lease too: no other instance should call them interrupted while
  // this one is alive to record the real reason.
  const mine = [...r.live.keys(), ...r.unrecorded.keys()];
  const stillRunning = await renewRunLeases(mine, env.TANDEM_RUN_LEASE_MS);
  // A run that is no longer `running` in the database was cancelled through another instance.
  for (const id of mine) if (!stillRunning.has(id)) r.live.get(id)?.run.cancel();
}

/**
 * Ends the runs whose instance stopped renewing their lease (at start-up: also our own old ones).
 * Never this process's own runs: a busy event loop can let their lease lapse before it renews.
 */
async function recover(atStart: boolean) {
  const r = runs();
  const except = [...r.live.keys(), ...r.unrecorded.keys()];
  const lapsed = await lapsedRuns({ ownInstanceId: atStart ? r.instanceId : undefined, except });
  for (const run of lapsed) {
    const ended = await end(run, { status: "error", error: reasons.interrupted }, { ...run.extra, interrupted: true });
    if (ended) await markInterruptedMessages(run.sessionPk, run.startedAt);
  }
  await freeOrphanedRunSlots();
  // Queues whose slot is free (their instance died between runs, or a start failed) go on here.
  for (const session of await sessionsWithWaitingQueue()) await startNext(session);
}

/**
 * The run lifecycle: how a run opens, ends, is cancelled (here or on another instance), is kept
 * alive by its lease and recovered when its instance died, and what a graceful stop does to it.
 * The agents' work inside a run is the engine's (lib/agents/engine.ts); the data writes are
 * lib/db's; every sentence about how a run ended is in ./reasons.ts.
 *
 * A run opens with the user's message, a `running` run log and the session's single run slot,
 * in one transaction (409 when the slot is taken). On this instance it is then a `LiveRun`:
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
 * Later transitions belong here too: a queued run is a state before `starting` (held in the
 * database, started by whichever instance frees the slot); steering adds guidance to a `running`
 * run; regenerate, edit and continue open a run from another starting point than a new message.
 */
import { hostname } from "node:os";
import { collaborate } from "@/lib/agents/engine";
import { messageJson } from "@/lib/contract/serialize";
import type { Message } from "@/lib/contract/types";
import { type MessageRow, markInterruptedMessages } from "@/lib/db/messages";
import { finishRun, freeOrphanedRunSlots, lapsedRuns, renewRunLeases, startRun } from "@/lib/db/runs";
import { requireSessionKey } from "@/lib/db/sessions";
import { env } from "@/lib/env";
import { TandemError } from "@/lib/errors";
import { log } from "@/lib/log";
import { publish } from "@/lib/realtime/hub";
import { titleAfterFirstRun } from "@/lib/sessions/titles";
import { singleton } from "@/lib/singleton";
import { LiveRun } from "./live-run";
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
  | { kind: "accepted"; runId: number; message: Message }
  | { kind: "completed"; outcome: RunOutcome };

/**
 * Stores the user's message and runs the session's agents (waiting for them unless `async`).
 * `startAfter` schedules an async run's start, so that the acknowledgement goes out before the
 * agents' first work (the route passes Next's `after`); by default it starts at once.
 */
export async function sendMessage(input: {
  sessionId: string;
  content: string;
  async: boolean;
  startAfter?: (start: () => void) => void;
}): Promise<SendResult> {
  if (!runs().accepting) throw new TandemError("unavailable", "The server is shutting down; try again shortly.");
  const session = await requireSessionKey(input.sessionId);
  const { run, message } = await startRun({
    sessionPk: session.id,
    content: input.content,
    instanceId: runs().instanceId,
    leaseMs: env.TANDEM_RUN_LEASE_MS,
  });
  const live = new LiveRun(run.id, session.id, session.sessionId, message);
  const done = launch(live, input.async ? input.startAfter : undefined);
  if (input.async) return { kind: "accepted", runId: run.id, message: messageJson(message) };
  return { kind: "completed", outcome: await done };
}

/** Stops the session's running run; resolves once it is recorded as cancelled. */
export async function cancelRun(sessionId: string): Promise<{ run_id: number; status: "cancelled" }> {
  const session = await requireSessionKey(sessionId);
  const runId = session.activeRunId;
  if (runId === null) throw new TandemError("conflict", "No run is in progress for this session.");
  const local = runs().live.get(runId);
  if (local) {
    local.run.cancel();
    await local.done;
    return { run_id: runId, status: "cancelled" };
  }
  // Another instance runs it: end it in the database; that instance sees it at its next lease
  // renewal and stops its model request.
  const ref = { runId, sessionPk: session.id, sessionId: session.sessionId };
  if (!(await end(ref, { status: "cancelled" }, { cancelled: true }))) {
    throw new TandemError("conflict", "No run is in progress for this session.");
  }
  return { run_id: runId, status: "cancelled" };
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

// ---------------------------------------------------------------------------------------------
// 3. A run of this process, from start to end
// ---------------------------------------------------------------------------------------------

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
  publish(run.sessionId, "run_started", { session_id: run.sessionId, run_id: run.runId });
  publish(run.sessionId, "message_created", {
    message_id: userMessage.id,
    message: messageJson(userMessage),
    run_id: run.runId,
  });

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
      () => r.unrecorded.delete(pending.run.runId),
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
}

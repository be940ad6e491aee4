/**
 * The collaboration engine. A send opens a run (the user's message and a `running` run log,
 * holding the session's single run slot); each assigned, active agent then takes its turn in
 * order, streaming through the AI SDK, calling its tools, and every step is announced on the
 * session's channel after it is committed. A run ends `success`, `error` or `cancelled`, never
 * stays `running`: a live instance renews its runs' leases and any instance recovers the runs
 * whose lease lapsed.
 */
import { hostname } from "node:os";
import { APICallError, isStepCount, streamText, tool, type ToolSet } from "ai";
import {
  activeAssignments,
  type AgentRow,
  type AssignmentRow,
  createMessage,
  finishRun,
  type MessageRow,
  recentMessages,
  recoverInterruptedRuns,
  renewRunLeases,
  requireSessionKey,
  searchSessionMessages,
  startRun,
  updateMessage,
} from "../db/index.ts";
import { env } from "../env.ts";
import { TandemError } from "../errors.ts";
import { log } from "../log.ts";
import { messageJson, type MessageJson } from "../contract/serialize.ts";
import { Coalescer } from "../realtime/coalescer.ts";
import type { EventName, EventPayload } from "../contract/events.ts";
import { publish } from "../realtime/hub.ts";
import { singleton } from "../singleton.ts";
import { CONTEXT_MESSAGES, conversation, systemPrompt } from "./context.ts";
import { modelFor } from "./models.ts";
import { builtinTools, type ToolContext } from "./tools/index.ts";

// ---------------------------------------------------------------------------------------------
// 1. Live runs of this process
// ---------------------------------------------------------------------------------------------

type StopReason = "cancel" | "shutdown";

interface LiveRun {
  runId: number;
  sessionPk: number;
  sessionId: string;
  controller: AbortController;
  stopReason?: StopReason;
  done: Promise<RunOutcome>;
}

interface Engine {
  instanceId: string;
  runs: Map<number, LiveRun>;
  accepting: boolean;
  timers: NodeJS.Timeout[];
}

const engine = () =>
  singleton<Engine>("engine", () => ({
    instanceId: env.TANDEM_INSTANCE_ID ?? `${hostname()}:${env.PORT}`,
    runs: new Map(),
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
  | { kind: "accepted"; runId: number; message: MessageJson }
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
  if (!engine().accepting) throw new TandemError("unavailable", "The server is shutting down; try again shortly.");
  const session = await requireSessionKey(input.sessionId);
  const { run, message } = await startRun({
    sessionPk: session.id,
    content: input.content,
    instanceId: engine().instanceId,
    leaseMs: env.TANDEM_RUN_LEASE_MS,
  });
  const ids = { runId: run.id, sessionPk: session.id, sessionId: session.sessionId };
  const live = launch(ids, message, input.async ? input.startAfter : undefined);
  if (input.async) return { kind: "accepted", runId: run.id, message: messageJson(message) };
  return { kind: "completed", outcome: await live.done };
}

/** Stops the session's running run; resolves once it is recorded as cancelled. */
export async function cancelRun(sessionId: string): Promise<{ run_id: number; status: "cancelled" }> {
  const session = await requireSessionKey(sessionId);
  const runId = session.activeRunId;
  if (runId === null) throw new TandemError("conflict", "No run is in progress for this session.");
  const live = engine().runs.get(runId);
  if (live) {
    stop(live, "cancel");
    await live.done;
    return { run_id: runId, status: "cancelled" };
  }
  // Another instance runs it: end it in the database; that instance sees it at its next lease
  // renewal and stops its model request.
  const ended = await finishRun({
    runId,
    sessionPk: session.id,
    status: "cancelled",
    details: "Cancelled by request.",
    extra: { cancelled: true },
  });
  if (!ended.changed) throw new TandemError("conflict", "No run is in progress for this session.");
  publish(session.sessionId, "run_cancelled", { run_id: runId, session_id: session.sessionId });
  return { run_id: runId, status: "cancelled" };
}

/** Starts lease renewal and recovery of runs whose instance died (call once, at start-up). */
export async function startRunMaintenance(): Promise<void> {
  const e = engine();
  await recover(true);
  const renewEvery = Math.max(250, Math.min(2000, Math.floor(env.TANDEM_RUN_LEASE_MS / 3)));
  e.timers.push(setInterval(() => void renewLeases().catch((err) => log.warn({ err }, "lease renewal failed")), renewEvery));
  e.timers.push(setInterval(() => void recover(false).catch((err) => log.warn({ err }, "run recovery failed")), env.TANDEM_RUN_LEASE_MS));
  for (const t of e.timers) t.unref();
}

/**
 * Graceful shutdown: refuse new sends, let running runs finish for up to `graceMs`, then stop
 * the rest (recorded as errors a person can act on).
 */
export async function shutdownRuns(graceMs: number): Promise<void> {
  const e = engine();
  e.accepting = false;
  for (const t of e.timers) clearInterval(t);
  e.timers = [];
  const all = () => Promise.all([...e.runs.values()].map((r) => r.done));
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), graceMs)));
  const result = await Promise.race([all(), graceOver]);
  clearTimeout(timer);
  if (result === "late") {
    for (const run of e.runs.values()) stop(run, "shutdown");
    await all();
  }
}

export const liveRunCount = () => engine().runs.size;

// ---------------------------------------------------------------------------------------------
// 3. Lifecycle plumbing
// ---------------------------------------------------------------------------------------------

function stop(run: LiveRun, reason: StopReason) {
  run.stopReason ??= reason;
  run.controller.abort(new Error(reason));
}

function launch(
  ids: { runId: number; sessionPk: number; sessionId: string },
  userMessage: MessageRow,
  startAfter: (start: () => void) => void = (start) => start(),
): LiveRun {
  const live: LiveRun = { ...ids, controller: new AbortController(), done: Promise.resolve(null as never) };
  // Registered at once, so a cancel or a shutdown finds the run even before it has started.
  const started = new Promise<void>((resolve) => startAfter(resolve));
  live.done = started.then(() => executeRun(live, userMessage)).finally(() => engine().runs.delete(ids.runId));
  engine().runs.set(ids.runId, live);
  return live;
}

async function renewLeases() {
  const e = engine();
  const mine = [...e.runs.keys()];
  const stillRunning = await renewRunLeases(mine, env.TANDEM_RUN_LEASE_MS);
  // A run that is no longer `running` in the database was cancelled through another instance.
  for (const id of mine) if (!stillRunning.has(id)) { const run = e.runs.get(id); if (run) stop(run, "cancel"); }
}

async function recover(atStart: boolean) {
  const recovered = await recoverInterruptedRuns(atStart ? engine().instanceId : undefined);
  for (const run of recovered) {
    log.warn({ runId: run.runId, sessionId: run.sessionId }, "marked interrupted run as error");
    publish(run.sessionId, "run_error", {
      run_id: run.runId,
      session_id: run.sessionId,
      error: "The run was interrupted: the server running it stopped. Send your message again.",
    });
  }
}

// ---------------------------------------------------------------------------------------------
// 4. One run
// ---------------------------------------------------------------------------------------------

interface AgentMetrics {
  agent: string;
  model: string;
  tokens_prompt: number;
  tokens_completion: number;
  latency_ms: number;
  steps: number;
  tool_calls: number;
}

async function executeRun(run: LiveRun, userMessage: MessageRow): Promise<RunOutcome> {
  const started = performance.now();
  const { runId, sessionId } = run;
  const created: MessageRow[] = [userMessage];
  const metrics: AgentMetrics[] = [];
  const emit: Emit = (event, payload) => publish(sessionId, event, { run_id: runId, ...payload } as never);

  publish(sessionId, "run_started", { session_id: sessionId, run_id: runId });
  emit("message_created", { message_id: userMessage.id, message: messageJson(userMessage) });

  let status: RunOutcome["status"] = "success";
  let error: string | undefined;
  try {
    const [team, recent] = await Promise.all([
      activeAssignments(run.sessionPk),
      recentMessages(run.sessionPk, CONTEXT_MESSAGES),
    ]);
    const history = recent.reverse();
    for (const assignment of team) {
      const turn = await agentTurn({ run, assignment, team, history, userMessage, emit, created, metrics });
      if (turn.message) history.push(turn.message);
    }
  } catch (e) {
    if (run.controller.signal.aborted && run.stopReason === "cancel") {
      status = "cancelled";
    } else {
      status = "error";
      error = run.stopReason === "shutdown" ? "The server shut down before the run finished. Send your message again." : describeError(e);
      if (!(e instanceof RunFailure)) log.error({ err: e, runId }, "run failed");
    }
  }

  const tokensPrompt = metrics.reduce((n, m) => n + m.tokens_prompt, 0);
  const tokensCompletion = metrics.reduce((n, m) => n + m.tokens_completion, 0);
  const extra = {
    duration_ms: Math.round(performance.now() - started),
    tokens_prompt: tokensPrompt,
    tokens_completion: tokensCompletion,
    agents: metrics as unknown as object[],
    messages: created.map((m) => m.id),
    ...(error ? { error } : {}),
  };
  const details =
    status === "success"
      ? `Completed: ${metrics.map((m) => m.agent).join(", ") || "no active agents assigned"}.`
      : status === "cancelled"
        ? "Cancelled by request."
        : error!;
  const ended = await finishRun({ runId, sessionPk: run.sessionPk, status, details, extra }).catch((e) => {
    log.error({ err: e, runId }, "could not record the end of a run");
    return { changed: false };
  });
  if (ended.changed) {
    if (status === "success") publish(sessionId, "run_completed", { run_id: runId, session_id: sessionId });
    else if (status === "cancelled") publish(sessionId, "run_cancelled", { run_id: runId, session_id: sessionId });
    else publish(sessionId, "run_error", { run_id: runId, session_id: sessionId, error: details });
  }
  return { runId, status, error, messages: created.sort((a, b) => a.id - b.id) };
}

/** Events of a run's progress: the run's id is added by the run. */
type RunEvent = { [E in EventName]: EventPayload<E> extends { run_id: number } ? E : never }[EventName];
type Emit = <E extends RunEvent>(event: E, payload: Omit<EventPayload<E>, "run_id">) => void;

/** A failure already described for people (its message is what `run_error` says). */
class RunFailure extends Error {}

async function agentTurn(input: {
  run: LiveRun;
  assignment: AssignmentRow;
  team: AssignmentRow[];
  history: MessageRow[];
  userMessage: MessageRow;
  emit: Emit;
  created: MessageRow[];
  /** This run's per-agent metrics; the turn adds its own, failed or not. */
  metrics: AgentMetrics[];
}): Promise<{ message: MessageRow | null }> {
  const { run, assignment, emit, created } = input;
  const { agent } = assignment;
  const resolved = modelFor(agent.modelHint);
  const started = performance.now();
  const metrics: AgentMetrics = {
    agent: agent.name,
    model: resolved.id,
    tokens_prompt: 0,
    tokens_completion: 0,
    latency_ms: 0,
    steps: 0,
    tool_calls: 0,
  };
  input.metrics.push(metrics);
  emit("agent_started", { agent: agent.name, role: agent.role });

  const timeout = AbortSignal.timeout(env.TANDEM_AGENT_TIMEOUT_MS);
  const signal = AbortSignal.any([run.controller.signal, timeout]);
  const tools = toolsFor({ ...input, signal, metrics });

  let message: MessageRow | null = null;
  let text = "";
  const coalescer = new Coalescer((delta) =>
    emit("agent_token", { agent: agent.name, message_id: message?.id ?? null, delta }),
  );
  const meta = (extra: Record<string, unknown>) => ({
    model: resolved.id,
    provider: resolved.provider,
    run_id: run.runId,
    ...extra,
  });

  try {
    const result = streamText({
      model: resolved.model,
      instructions: systemPrompt(assignment, input.team),
      messages: conversation(input.history, {
        agentId: agent.id,
        runFromId: input.userMessage.id,
        budgetTokens: env.TANDEM_CONTEXT_TOKENS,
      }),
      tools,
      stopWhen: isStepCount(env.TANDEM_MAX_TOOL_STEPS),
      maxRetries: env.TANDEM_MODEL_RETRIES,
      abortSignal: signal,
      onError: () => {}, // errors arrive as `error` parts below
    });
    for await (const part of result.fullStream) {
      switch (part.type) {
        case "text-delta":
          if (!part.text) break;
          // The message row is created at the first token, so every token frame names it.
          message ??= await createMessage({
            sessionPk: run.sessionPk,
            role: "agent",
            agent,
            metadata: meta({ streaming: true }),
          });
          text += part.text;
          coalescer.push(part.text);
          break;
        case "finish-step":
          metrics.steps++;
          break;
        case "finish":
          metrics.tokens_prompt = part.totalUsage.inputTokens ?? 0;
          metrics.tokens_completion = part.totalUsage.outputTokens ?? 0;
          break;
        case "error":
          throw part.error;
        case "abort":
          throw signal.reason ?? new Error("aborted");
      }
    }
    if (signal.aborted) throw signal.reason;
  } catch (e) {
    coalescer.flush();
    metrics.latency_ms = Math.round(performance.now() - started);
    const cancelled = run.controller.signal.aborted && run.stopReason === "cancel";
    const reason = cancelled ? null : timeout.aborted ? `${agent.name} did not finish within ${env.TANDEM_AGENT_TIMEOUT_MS} ms (TANDEM_AGENT_TIMEOUT_MS).` : run.stopReason === "shutdown" ? "The server shut down before the run finished." : describeError(e);
    if (message || text) {
      // Keep what the agent had written, marked so readers know it is cut short.
      const kept = await saveAgentMessage(message, { run, agent, text, metrics, meta: meta(cancelled ? { cancelled: true } : { error: reason, partial: true }) });
      created.push(kept);
      emit("message_created", { message_id: kept.id, message: messageJson(kept) });
      emit("agent_turn", { agent: agent.name, role: agent.role, message_id: kept.id, content: kept.content });
    }
    if (cancelled) throw e;
    throw new RunFailure(reason ?? describeError(e));
  }

  coalescer.flush();
  metrics.latency_ms = Math.round(performance.now() - started);
  const final = await saveAgentMessage(message, { run, agent, text, metrics, meta: meta({}) });
  created.push(final);
  emit("message_created", { message_id: final.id, message: messageJson(final) });
  emit("agent_turn", { agent: agent.name, role: agent.role, message_id: final.id, content: final.content });
  return { message: final };
}

function saveAgentMessage(
  message: MessageRow | null,
  p: { run: LiveRun; agent: AgentRow; text: string; metrics: AgentMetrics; meta: Record<string, unknown> },
): Promise<MessageRow> {
  const fields = {
    agent: p.agent,
    content: p.text,
    tokensPrompt: p.metrics.tokens_prompt || null,
    tokensCompletion: p.metrics.tokens_completion || null,
    latencyMs: p.metrics.latency_ms,
    metadata: p.meta as object,
  };
  if (message) return updateMessage(message.id, fields);
  return createMessage({ sessionPk: p.run.sessionPk, role: "agent", ...fields });
}

/**
 * The agent's tools: the active tools assigned to it in this session that have a built-in
 * implementation. Each call is stored as a `tool` message; a tool that throws gives the model
 * an error result to read instead of failing the run.
 */
function toolsFor(input: {
  run: LiveRun;
  assignment: AssignmentRow;
  userMessage: MessageRow;
  emit: Emit;
  created: MessageRow[];
  signal: AbortSignal;
  metrics: AgentMetrics;
}): ToolSet | undefined {
  const { run, assignment, emit, created, metrics } = input;
  const { agent } = assignment;
  const context: ToolContext = {
    async searchMessages(query, limit) {
      const rows = await searchSessionMessages(run.sessionPk, query, limit + 1);
      return rows
        .filter((m) => m.id < input.userMessage.id)
        .slice(0, limit)
        .map((m) => ({ id: m.id, role: m.role, agent: m.agent?.name ?? null, content: m.content.slice(0, 500), created_at: m.createdAt.toISOString() }));
    },
  };
  const set: ToolSet = {};
  for (const row of assignment.tools) {
    const impl = builtinTools.get(row.name);
    if (!row.isActive || !impl) continue;
    set[row.name] = tool({
      description: row.description || impl.description,
      inputSchema: impl.inputSchema,
      execute: async (toolInput: unknown, { toolCallId }: { toolCallId: string }) => {
        metrics.tool_calls++;
        emit("tool_call", { agent: agent.name, tool_call_id: toolCallId, tool_name: row.name, input: toolInput });
        const started = performance.now();
        let output: unknown;
        let isError = false;
        try {
          output = await impl.execute(toolInput, context);
        } catch (e) {
          isError = true;
          output = { error: e instanceof Error ? e.message : String(e) };
        }
        const latencyMs = Math.round(performance.now() - started);
        const stored = await createMessage({
          sessionPk: run.sessionPk,
          role: "tool",
          agent,
          toolName: row.name,
          toolInput: toolInput as object,
          toolOutput: output as object,
          latencyMs,
          metadata: { run_id: run.runId, tool_call_id: toolCallId, is_error: isError },
        });
        created.push(stored);
        emit("message_created", { message_id: stored.id, message: messageJson(stored) });
        emit("tool_result", {
          agent: agent.name,
          tool_call_id: toolCallId,
          tool_name: row.name,
          output,
          is_error: isError,
          message_id: stored.id,
          latency_ms: latencyMs,
        });
        return output;
      },
    });
  }
  return Object.keys(set).length ? set : undefined;
}

/** What went wrong, in words a person can act on. */
export function describeError(e: unknown): string {
  if (e instanceof RunFailure) return e.message;
  if (APICallError.isInstance(e)) {
    const status = e.statusCode;
    if (status === 401 || status === 403) return `The model provider refused the credentials (HTTP ${status}); check OPENAI_API_KEY.`;
    if (status === 404) return `The model provider does not know this model or endpoint (HTTP 404); check the agent's model hint and OPENAI_BASE_URL.`;
    if (status === 429) return "The model provider is rate-limiting requests (HTTP 429) and retries ran out; try again shortly.";
    if (status && status >= 500) {
      const retries = env.TANDEM_MODEL_RETRIES;
      return `The model provider failed (HTTP ${status}) after ${retries} ${retries === 1 ? "retry" : "retries"}; try again shortly.`;
    }
    if (status === undefined) return `Could not reach the model provider (${e.message}); check OPENAI_BASE_URL and the network.`;
    return `The model provider rejected the request (HTTP ${status}): ${e.message}`;
  }
  const err = e as { name?: string; message?: string; lastError?: unknown; errors?: unknown[] } | null;
  if (err?.name === "AI_RetryError" && err.lastError) return describeError(err.lastError);
  const message = err?.message ?? String(e);
  return `The model's answer could not be read (${message}).`;
}

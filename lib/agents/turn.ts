/**
 * One agent's turn inside a run: it streams through the AI SDK, calls its tools, and its text
 * reaches the database while it streams (./partial-text.ts); every step is announced on the
 * session's channel after it is committed. The processes (./processes.ts) add to a turn: tools
 * of their own (a verdict, a question to a teammate), a last user turn (a revision request, a
 * question), and metadata on the stored message (its round, its verdict, the consultation).
 */
import { type ModelMessage, type ToolSet, tool } from "ai";
import type { EventName, EventPayload } from "@/lib/contract/events";
import { messageJson } from "@/lib/contract/serialize";
import type { Json } from "@/lib/contract/types";
import type { AgentRow } from "@/lib/db/agents";
import type { AssignmentRow } from "@/lib/db/assignments";
import {
  createMessage,
  type MessageRow,
  saveMessageTexts,
  searchSessionMessages,
  steersOf,
  updateMessage,
} from "@/lib/db/messages";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { Coalescer } from "@/lib/realtime/coalescer";
import { publish } from "@/lib/realtime/hub";
import type { AgentMetrics, LiveRun } from "@/lib/runs/live-run";
import { reasons } from "@/lib/runs/reasons";
import { singleton } from "@/lib/singleton";
import { CONTINUE_LINE, conversation, systemPrompt } from "./context";
import { modelFor } from "./models";
import { PartialTexts } from "./partial-text";
import { streamSteps } from "./steps";
import { builtinTools, modelInputSchema, type ToolContext, type ToolOutcome } from "./tools/index";

/** Events of a run's progress: the run's id is added by the run. */
type RunEvent = { [E in EventName]: EventPayload<E> extends { run_id: number } ? E : never }[EventName];
export type Emit = <E extends RunEvent>(event: E, payload: Omit<EventPayload<E>, "run_id">) => void;

/** What every turn of a run shares. */
export interface RunScope {
  run: LiveRun;
  /** The session's active assignments, in order. */
  team: AssignmentRow[];
  userMessage: MessageRow;
  /** This turn's messages (the request, guidance, the run's own): they always reach the model. */
  inTurn: (m: MessageRow) => boolean;
  emit: Emit;
}

export const runScope = (run: LiveRun, team: AssignmentRow[], userMessage: MessageRow, resumedRuns: number[]) => {
  const turnRuns = new Set([run.runId, ...resumedRuns]);
  const scope: RunScope = {
    run,
    team,
    userMessage,
    inTurn: (m) => m.id === userMessage.id || (m.runId !== null && turnRuns.has(m.runId)),
    emit: (event, payload) => publish(run.sessionId, event, { run_id: run.runId, ...payload } as never),
  };
  return scope;
};

/** One turn: whose, what it reads, and what its process adds. */
export interface TurnPlan {
  assignment: AssignmentRow;
  /** The conversation so far, chronological. */
  history: MessageRow[];
  /** continue: the agent's cut-off message, which this turn extends. */
  resume?: MessageRow;
  /** The process's tools, beside the agent's own. */
  tools?: ToolSet;
  /** The agent's steps stop once it called this tool (its verdict is given). */
  stopOn?: string;
  /** A line the process adds to the system prompt. */
  instructions?: string;
  /** User turns after the conversation (a revision request, a teammate's question). */
  prompt?: ModelMessage[];
  /** Stored in the message's metadata, read when the turn ends (a verdict arrives during it). */
  meta?: Record<string, Json>;
  /** The message's text when the agent wrote none (it only called the verdict tool). */
  fallbackText?: () => string;
}

/**
 * Before a turn, the run's new guidance (steering messages, possibly sent through another
 * instance) joins what the agents read.
 */
export async function joinGuidance(scope: RunScope, history: MessageRow[]): Promise<void> {
  const seen = history.map((m) => m.id);
  const steers = await store("read the user's guidance", () =>
    steersOf(scope.run.runId, [scope.userMessage.id, ...seen]),
  );
  history.push(...steers);
  scope.run.messages.push(...steers);
}

/** The instance's streaming texts, saved together (one per process, as the runs are). */
const partialTexts = () => singleton("partial-texts", () => new PartialTexts(saveMessageTexts));

/** The agent takes its turn; returns its stored message, or throws what stopped it. */
export async function agentTurn(scope: RunScope, plan: TurnPlan): Promise<MessageRow> {
  const { run, emit } = scope;
  const { assignment, resume } = plan;
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
  run.agents.push(metrics);
  emit("agent_started", { agent: agent.name, role: agent.role });

  const deadline = turnDeadline(env.TANDEM_AGENT_TIMEOUT_MS);
  const signal = AbortSignal.any([run.signal, deadline.signal]);
  const own = toolsFor(scope, assignment, metrics);
  const tools = own || plan.tools ? { ...own, ...plan.tools } : undefined;

  let message: MessageRow | null = resume ?? null;
  let text = resume?.content ?? "";
  // `offset` places each delta in the message's text, so a client that loaded the text saved so far joins exactly.
  let sent = text.length;
  const coalescer = new Coalescer((delta) => {
    emit("agent_token", { agent: agent.name, message_id: message?.id ?? null, delta, offset: sent });
    sent += delta.length;
  });
  const partial = partialTexts().open((e) => run.fail(reasons.databaseFailed("store the agent's message", e)));
  const meta = (extra: Record<string, unknown>) => ({
    model: resolved.id,
    provider: resolved.provider,
    // A continued message stays its first run's, and says who went on with it.
    ...(resume ? { run_id: resume.runId, continued_by: run.runId } : { run_id: run.runId }),
    ...plan.meta,
    ...extra,
  });
  const finish = async (extra: Record<string, unknown>) => {
    coalescer.flush();
    await partial.close();
    metrics.latency_ms = Math.round(performance.now() - started);
    if (!text && plan.fallbackText) text = plan.fallbackText();
    const stored = await saveAgentMessage(message, { run, agent, text, metrics, meta: meta(extra) });
    run.messages.push(stored);
    emit("message_created", { message_id: stored.id, message: messageJson(stored) });
    emit("agent_turn", { agent: agent.name, role: agent.role, message_id: stored.id, content: stored.content });
    return stored;
  };

  try {
    const system = systemPrompt(assignment, scope.team);
    const steps = streamSteps({
      model: resolved.model,
      instructions: plan.instructions ? `${system}\n\n${plan.instructions}` : system,
      messages: [
        ...conversation(plan.history, {
          agentId: agent.id,
          inTurn: scope.inTurn,
          budgetTokens: env.TANDEM_CONTEXT_TOKENS,
        }),
        // The cut-off text is the conversation's last assistant turn: the model goes on from it.
        ...(resume ? [{ role: "user" as const, content: CONTINUE_LINE }] : []),
        ...(plan.prompt ?? []),
      ],
      tools,
      maxSteps: env.TANDEM_MAX_TOOL_STEPS,
      stopOn: plan.stopOn,
      maxRetries: env.TANDEM_MODEL_RETRIES,
      signal,
    });
    for await (const part of steps) {
      switch (part.type) {
        case "text-delta":
          // The message row is created at the first token, so every token frame names it.
          message ??= await store("store the agent's message", () =>
            createMessage({
              sessionPk: run.sessionPk,
              runId: run.runId,
              role: "agent",
              agent,
              metadata: meta({ streaming: true }),
            }),
          );
          text += part.text;
          coalescer.push(part.text);
          partial.update(message.id, text);
          break;
        case "finish-step":
          metrics.steps++;
          break;
        case "finish":
          metrics.tokens_prompt = part.usage.inputTokens;
          metrics.tokens_completion = part.usage.outputTokens;
          break;
      }
    }
    if (signal.aborted) throw signal.reason;
  } catch (e) {
    // A turn that outlived its time limit is this agent's failure, not the run's stop.
    const error =
      deadline.signal.aborted && !run.signal.aborted
        ? reasons.agentTimedOut(agent.name)
        : signal.aborted
          ? signal.reason
          : e;
    if (message || text) {
      // Keep what the agent had written, marked so readers know it is cut short.
      const outcome = run.outcome(error);
      await finish(outcome.status === "error" ? { error: outcome.error, partial: true } : { cancelled: true }).catch(
        (err) => log.warn({ err, run_id: run.runId }, "could not keep an interrupted agent message"),
      );
    }
    throw error;
  } finally {
    deadline.clear();
  }
  return store("store the agent's message", () => finish({}));
}

/**
 * A turn's time limit, cleared when the turn ends. `AbortSignal.timeout` cannot be cleared: its
 * timer outlived every turn by the whole limit (120 s), and with it the request context it was
 * made in (on Node 24 the request and response themselves: about 35 KB a send, measured).
 */
function turnDeadline(ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
    ms,
  );
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** A database write the run cannot go on without: its failure ends the run with the real reason. */
export async function store<T>(action: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    throw reasons.databaseFailed(action, e);
  }
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
  return createMessage({ sessionPk: p.run.sessionPk, runId: p.run.runId, role: "agent", ...fields });
}

/**
 * The agent's tools: the active tools assigned to it in this session that have a built-in
 * implementation. Each call is stored as a `tool` message; a tool that throws gives the model
 * an error result to read instead of failing the run, but a call that cannot be stored fails it.
 */
function toolsFor(scope: RunScope, assignment: AssignmentRow, metrics: AgentMetrics): ToolSet | undefined {
  const { run, emit, userMessage } = scope;
  const { agent } = assignment;
  const context: ToolContext = {
    async searchMessages(query, limit) {
      const rows = await searchSessionMessages(run.sessionPk, query, limit + 1);
      return rows
        .filter((m) => m.id < userMessage.id)
        .slice(0, limit)
        .map((m) => ({
          id: m.id,
          role: m.role,
          agent: m.agent?.name ?? null,
          content: m.content.slice(0, 500),
          created_at: m.createdAt.toISOString(),
        }));
    },
  };
  const set: ToolSet = {};
  for (const row of assignment.tools) {
    const impl = builtinTools.get(row.name);
    if (!row.isActive || !impl) continue;
    set[row.name] = tool({
      description: row.description || impl.description,
      inputSchema: modelInputSchema(impl),
      execute: async (toolInput: unknown, { toolCallId }: { toolCallId: string }) => {
        metrics.tool_calls++;
        emit("tool_call", {
          agent: agent.name,
          tool_call_id: toolCallId,
          tool_name: row.name,
          input: toolInput as Json,
        });
        const started = performance.now();
        let outcome: ToolOutcome<unknown>;
        try {
          outcome = { ok: true, output: await impl.execute(toolInput, context) };
        } catch (e) {
          outcome = { ok: false, error: e instanceof Error ? e.message : String(e) };
        }
        const output = outcome.ok ? outcome.output : { error: outcome.error };
        const isError = !outcome.ok;
        const latencyMs = Math.round(performance.now() - started);
        const stored = await store("store the tool call", () =>
          createMessage({
            sessionPk: run.sessionPk,
            runId: run.runId,
            role: "tool",
            agent,
            content: impl.summarize(toolInput, outcome),
            toolName: row.name,
            toolInput: toolInput as object,
            toolOutput: output as object,
            latencyMs,
            metadata: { run_id: run.runId, tool_call_id: toolCallId, is_error: isError },
          }),
        ).catch((failure) => {
          // The SDK would hand this error to the model as the tool's result; the run must stop.
          run.fail(failure);
          throw failure;
        });
        run.messages.push(stored);
        emit("message_created", { message_id: stored.id, message: messageJson(stored) });
        emit("tool_result", {
          agent: agent.name,
          tool_call_id: toolCallId,
          tool_name: row.name,
          output: output as Json,
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

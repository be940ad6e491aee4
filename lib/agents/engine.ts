/**
 * The collaboration engine: inside a run opened by the lifecycle (lib/runs), each assigned,
 * active agent takes its turn in order, streaming through the AI SDK and calling its tools; every
 * step is announced on the session's channel after it is committed, and an agent's text reaches
 * the database while it streams (./partial-text.ts). The engine never decides how a run ends: it
 * returns when the agents are done or throws what stopped them, and the lifecycle turns that into
 * the run's outcome.
 */
import { isStepCount, streamText, type ToolSet, tool } from "ai";
import type { EventName, EventPayload } from "@/lib/contract/events";
import { messageJson } from "@/lib/contract/serialize";
import type { Json } from "@/lib/contract/types";
import type { AgentRow } from "@/lib/db/agents";
import { type AssignmentRow, activeAssignments } from "@/lib/db/assignments";
import {
  createMessage,
  type MessageRow,
  resumedWork,
  saveMessageText,
  searchSessionMessages,
  steersOf,
  updateMessage,
} from "@/lib/db/messages";
import { pathContext } from "@/lib/db/turns";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { Coalescer } from "@/lib/realtime/coalescer";
import { publish } from "@/lib/realtime/hub";
import type { AgentMetrics, LiveRun } from "@/lib/runs/live-run";
import { reasons } from "@/lib/runs/reasons";
import { CONTEXT_MESSAGES, CONTINUE_LINE, conversation, systemPrompt } from "./context";
import { modelFor } from "./models";
import { PartialText } from "./partial-text";
import { builtinTools, type ToolContext, type ToolOutcome } from "./tools/index";

/** Events of a run's progress: the run's id is added by the run. */
type RunEvent = { [E in EventName]: EventPayload<E> extends { run_id: number } ? E : never }[EventName];
type Emit = <E extends RunEvent>(event: E, payload: Omit<EventPayload<E>, "run_id">) => void;

/**
 * The session's agents take their turns for `userMessage`; throws what stopped them. Before each
 * turn the run's new guidance (steering messages, possibly sent through another instance) joins
 * what the agent reads. A continuation skips the agents that finished in the run it resumes and
 * lets the cut-off one go on from what it wrote.
 */
export async function collaborate(run: LiveRun, userMessage: MessageRow): Promise<void> {
  const emit: Emit = (event, payload) => publish(run.sessionId, event, { run_id: run.runId, ...payload } as never);
  const [team, recent, resumed] = await Promise.all([
    activeAssignments(run.sessionPk),
    pathContext(run.sessionPk, CONTEXT_MESSAGES),
    run.turn.resumesRunId === null ? null : resumedWork(run.turn.resumesRunId),
  ]).catch((e) => {
    throw reasons.databaseFailed("read the session's agents and messages", e);
  });
  const history = recent.reverse();
  // This turn's messages always reach the model; older ones as the token budget allows.
  const turnRuns = new Set([run.runId, ...(resumed?.runIds ?? [])]);
  const inTurn = (m: MessageRow) => m.id === userMessage.id || (m.runId !== null && turnRuns.has(m.runId));
  for (const assignment of team) {
    const earlier = resumed?.byAgent.get(assignment.agent.id);
    if (earlier && !earlier.cut) continue;
    const seen = history.map((m) => m.id);
    const steers = await store("read the user's guidance", () => steersOf(run.runId, [userMessage.id, ...seen]));
    history.push(...steers);
    run.messages.push(...steers);
    const message = await agentTurn({
      run,
      assignment,
      team,
      history,
      inTurn,
      userMessage,
      emit,
      resume: earlier?.message,
    });
    if (message && message.id !== earlier?.message.id) history.push(message);
  }
}

async function agentTurn(input: {
  run: LiveRun;
  assignment: AssignmentRow;
  team: AssignmentRow[];
  history: MessageRow[];
  inTurn: (m: MessageRow) => boolean;
  userMessage: MessageRow;
  emit: Emit;
  /** continue: the agent's cut-off message, which this turn extends. */
  resume?: MessageRow;
}): Promise<MessageRow | null> {
  const { run, assignment, emit } = input;
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

  const timeout = AbortSignal.timeout(env.TANDEM_AGENT_TIMEOUT_MS);
  const signal = AbortSignal.any([run.signal, timeout]);
  const tools = toolsFor({ ...input, metrics });

  const { resume } = input;
  let message: MessageRow | null = resume ?? null;
  let text = resume?.content ?? "";
  // `offset` places each delta in the message's text, so a client that loaded the text saved so far joins exactly.
  let sent = text.length;
  const coalescer = new Coalescer((delta) => {
    emit("agent_token", { agent: agent.name, message_id: message?.id ?? null, delta, offset: sent });
    sent += delta.length;
  });
  const partial = new PartialText(
    (content) => saveMessageText(message!.id, content),
    (e) => run.fail(reasons.databaseFailed("store the agent's message", e)),
  );
  const meta = (extra: Record<string, unknown>) => ({
    model: resolved.id,
    provider: resolved.provider,
    // A continued message stays its first run's, and says who went on with it.
    ...(resume ? { run_id: resume.runId, continued_by: run.runId } : { run_id: run.runId }),
    ...extra,
  });
  const finish = async (extra: Record<string, unknown>) => {
    coalescer.flush();
    await partial.close();
    metrics.latency_ms = Math.round(performance.now() - started);
    const stored = await saveAgentMessage(message, { run, agent, text, metrics, meta: meta(extra) });
    run.messages.push(stored);
    emit("message_created", { message_id: stored.id, message: messageJson(stored) });
    emit("agent_turn", { agent: agent.name, role: agent.role, message_id: stored.id, content: stored.content });
    return stored;
  };

  try {
    const result = streamText({
      model: resolved.model,
      instructions: systemPrompt(assignment, input.team),
      messages: [
        ...conversation(input.history, {
          agentId: agent.id,
          inTurn: input.inTurn,
          budgetTokens: env.TANDEM_CONTEXT_TOKENS,
        }),
        // The cut-off text is the conversation's last assistant turn: the model goes on from it.
        ...(resume ? [{ role: "user" as const, content: CONTINUE_LINE }] : []),
      ],
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
          partial.update(text);
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
    // A turn that outlived its time limit is this agent's failure, not the run's stop.
    const error = timeout.aborted && !run.signal.aborted ? reasons.agentTimedOut(agent.name) : e;
    if (message || text) {
      // Keep what the agent had written, marked so readers know it is cut short.
      const outcome = run.outcome(error);
      await finish(outcome.status === "error" ? { error: outcome.error, partial: true } : { cancelled: true }).catch(
        (err) => log.warn({ err, run_id: run.runId }, "could not keep an interrupted agent message"),
      );
    }
    throw error;
  }
  return store("store the agent's message", () => finish({}));
}

/** A database write the run cannot go on without: its failure ends the run with the real reason. */
async function store<T>(action: string, write: () => Promise<T>): Promise<T> {
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
function toolsFor(input: {
  run: LiveRun;
  assignment: AssignmentRow;
  userMessage: MessageRow;
  emit: Emit;
  metrics: AgentMetrics;
}): ToolSet | undefined {
  const { run, assignment, emit, metrics } = input;
  const { agent } = assignment;
  const context: ToolContext = {
    async searchMessages(query, limit) {
      const rows = await searchSessionMessages(run.sessionPk, query, limit + 1);
      return rows
        .filter((m) => m.id < input.userMessage.id)
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
      inputSchema: impl.inputSchema,
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

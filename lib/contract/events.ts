/**
 * The WebSocket's events: one map from event name to payload schema. The server's `publish` is
 * typed by it (a payload that does not match is a compile error at the publish site), the browser
 * reads its types from it, and docs/api.md and /docs list it. Compat events are the old backend's;
 * their fields are never removed or renamed, extensions only add.
 */
import { z } from "zod";
import { JsonValue, MessageSchema, QueuedRunSchema, RunKindSchema, SessionSchema } from "./schemas";

const RunId = z.number().int().describe("The run's id (its run log's id).");
const AgentName = z.string().describe("The agent's name.");

interface EventSpec<P extends z.ZodType> {
  /** The old backend had it: its fields are frozen (extensions may add fields). */
  compat: boolean;
  description: string;
  payload: P;
}

const event = <P extends z.ZodType>(spec: EventSpec<P>) => spec;

export const EVENTS = {
  run_started: event({
    compat: true,
    description:
      "A run began: the user's message is stored and the agents are about to take their turns. ext: `kind`, " +
      "`parent_run_id` (where it hangs in the conversation; it is now the session's head) and `user_message_id`.",
    payload: z.object({
      session_id: z.string(),
      run_id: RunId,
      kind: RunKindSchema.optional(),
      parent_run_id: z.number().int().nullable().optional(),
      user_message_id: z.number().int().optional(),
    }),
  }),
  run_queued: event({
    compat: false,
    description:
      "A send (or another version of a turn) waits behind the running run; `position` 1 is next. Its message joins the history (`message_created`) when its run starts.",
    payload: z.object({
      session_id: z.string(),
      run_id: RunId,
      position: z.number().int().min(1),
      message: MessageSchema,
    }),
  }),
  queue_updated: event({
    compat: false,
    description:
      "The session's queue changed (a run queued, started, removed, or its message edited): the whole queue, in order.",
    payload: z.object({ session_id: z.string(), queue: z.array(QueuedRunSchema) }),
  }),
  path_changed: event({
    compat: false,
    description:
      "Another version of a turn was selected: the active path now runs through `head_run_id`; reload the history.",
    payload: z.object({ session_id: z.string(), head_run_id: RunId }),
  }),
  message_created: event({
    compat: true,
    description:
      "A message was stored (the user's, an agent's finished turn, a tool call). ext: `message` is the whole Message, `run_id` the run that stored it.",
    payload: z.object({ message_id: z.number().int(), message: MessageSchema, run_id: RunId }),
  }),
  message_updated: event({
    compat: false,
    description:
      "A stored message changed outside a run (a person rated an agent's turn); `message` is the whole Message.",
    payload: z.object({ message_id: z.number().int(), message: MessageSchema }),
  }),
  agent_started: event({
    compat: false,
    description: "An agent began its turn.",
    payload: z.object({ run_id: RunId, agent: AgentName, role: z.string() }),
  }),
  agent_token: event({
    compat: false,
    description:
      "Text an agent streamed. `message_id` names the message the text belongs to; `offset` is where `delta` starts in its content.",
    payload: z.object({
      run_id: RunId,
      agent: AgentName,
      message_id: z.number().int().nullable(),
      delta: z.string(),
      offset: z.number().int().min(0).optional(),
    }),
  }),
  tool_call: event({
    compat: false,
    description: "An agent called a tool.",
    payload: z.object({
      run_id: RunId,
      agent: AgentName,
      tool_call_id: z.string(),
      tool_name: z.string(),
      input: JsonValue,
    }),
  }),
  tool_result: event({
    compat: false,
    description: "A tool answered (`is_error` when it failed; the model reads the error and goes on).",
    payload: z.object({
      run_id: RunId,
      agent: AgentName,
      tool_call_id: z.string(),
      tool_name: z.string(),
      output: JsonValue,
      is_error: z.boolean(),
      message_id: z.number().int(),
      latency_ms: z.number().int(),
    }),
  }),
  agent_turn: event({
    compat: true,
    description: "An agent finished its turn (also sent, with what was written, when a turn is cut short).",
    payload: z.object({
      run_id: RunId,
      agent: AgentName,
      role: z.string(),
      message_id: z.number().int(),
      content: z.string(),
    }),
  }),
  round_started: event({
    compat: false,
    description: "A review process began a round: the drafters write (or revise), then the reviewer gives a verdict.",
    payload: z.object({
      run_id: RunId,
      process: z.string(),
      round: z.number().int().min(1),
      max_rounds: z.number().int().min(1),
    }),
  }),
  review_verdict: event({
    compat: false,
    description:
      "The reviewer's verdict on a round's draft, given through its `submit_verdict` tool; `verdict` is null when it gave none (the review ends). Its message (`message_id`) carries `round`, `verdict` and `notes` in its metadata.",
    payload: z.object({
      run_id: RunId,
      round: z.number().int().min(1),
      agent: AgentName,
      verdict: z.enum(["approve", "changes"]).nullable(),
      notes: z.string(),
      message_id: z.number().int(),
    }),
  }),
  consultation_started: event({
    compat: false,
    description:
      "An agent put a question to a teammate (consult): the teammate's answer streams as its own turn, stored with `metadata.consultation` = `{asked_by, question}`.",
    payload: z.object({
      run_id: RunId,
      asked_by: AgentName,
      agent: AgentName,
      question: z.string(),
      tool_call_id: z.string(),
    }),
  }),
  consultation_ended: event({
    compat: false,
    description:
      "The teammate answered (`message_id`), or could not (`error`); the answer went back to the asking agent as its tool's result.",
    payload: z.object({
      run_id: RunId,
      asked_by: AgentName,
      agent: AgentName,
      tool_call_id: z.string(),
      message_id: z.number().int().nullable(),
      error: z.string().optional(),
    }),
  }),
  process_ended: event({
    compat: false,
    description:
      "A review or consult process ended, before the run's terminal event: `outcome` is `approved`, `max_rounds` (the last round still asked for changes), `no_verdict`, `completed` (consult), `token_budget` or `time_budget`. The run log's `extra.process` has the details.",
    payload: z.object({
      run_id: RunId,
      process: z.string(),
      outcome: z.string(),
      rounds: z.number().int().min(0),
    }),
  }),
  run_completed: event({
    compat: true,
    description: "The run ended: every agent took its turn.",
    payload: z.object({ run_id: RunId, session_id: z.string() }),
  }),
  run_error: event({
    compat: true,
    description: "The run failed; `error` says why in words a person can act on. What was written is kept.",
    payload: z.object({ run_id: RunId, session_id: z.string(), error: z.string() }),
  }),
  run_cancelled: event({
    compat: false,
    description: "The run was stopped on request. What was written is kept.",
    payload: z.object({ run_id: RunId, session_id: z.string() }),
  }),
  session_updated: event({
    compat: false,
    description: "The session changed (title, metadata, its agents); `session` is the whole Session.",
    payload: z.object({ session: SessionSchema }),
  }),
  session_deleted: event({
    compat: false,
    description: "The session was deleted; the socket stays open but nothing more comes.",
    payload: z.object({ session_id: z.string() }),
  }),
} as const;

export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** What a publish site must supply for `E`. */
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]["payload"]>;

/** A broadcast as it reaches a client: `{event, payload, seq}`. */
export type ChatEvent = { [E in EventName]: { event: E; payload: EventPayload<E>; seq: number } }[EventName];

/**
 * Frames that are not broadcasts: the greeting, the answer to a client frame, and `resync` (the
 * replay window could not cover `since`, or events were lost: refetch over REST, then follow `seq`).
 */
export const CONTROL_FRAMES = {
  connected: '`{event: "connected", session_id, seq}` on connect; `seq` is the session\'s latest.',
  echo: '`{event: "echo", payload: <the client\'s frame>}` (compat).',
  error: '`{event: "error", payload: {detail}}` for a client frame that is not JSON text of at most 64 KiB.',
  resync:
    '`{event: "resync", payload: {reason, seq}}`: events were missed; refetch over REST and continue after `seq`.',
} as const;

export type ControlFrame =
  | { event: "connected"; session_id: string; seq: number }
  | { event: "echo"; payload: unknown }
  | { event: "error"; payload: { detail: string } }
  | { event: "resync"; payload: { reason: string; seq: number } };

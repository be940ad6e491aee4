/**
 * Wire types of the public Tandem REST API and WebSocket, as the browser sees them.
 * Field names are the contract's (snake_case); see /work/shared/spec/api-contract.md.
 * Everything is typed defensively: extensions may add fields, so objects stay open.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Agent {
  id: number;
  name: string;
  role: string;
  description?: string;
  model_hint?: string;
  is_active?: boolean;
  created_at?: string;
  updated_at?: string;
}

export interface Assignment {
  id?: number;
  session?: number;
  agent: Agent;
  order: number;
  prompt_override?: string;
}

export interface Session {
  id: number;
  session_id: string;
  title: string;
  user_id: string;
  metadata: Json;
  assignments?: Assignment[];
  created_at: string;
  updated_at: string;
}

/** A session as a sidebar lists it (`GET /api/sessions/?view=summary`): no assignments. */
export interface SessionSummary {
  session_id: string;
  title: string;
  created_at: string;
  updated_at: string;
  message_count?: number;
}

export type MessageRole = "user" | "agent" | "system" | "tool";

export interface MessageMetadata {
  model?: string;
  cancelled?: boolean;
  error?: string | { message?: string } | null;
  streaming?: boolean;
  [key: string]: unknown;
}

export interface Message {
  id: number;
  session: number;
  role: MessageRole;
  agent: Agent | null;
  content: string;
  tool_name: string;
  tool_input: Json | undefined;
  tool_output: Json | undefined;
  tokens_prompt: number | null;
  tokens_completion: number | null;
  latency_ms: number | null;
  metadata: MessageMetadata | null;
  created_at: string;
  updated_at: string;
}

export interface SessionStateAssignment {
  order: number;
  agent: string;
  role: string;
  prompt_override: boolean;
}

export interface RunRef {
  id: number | string;
  status: string;
}

export interface SessionState {
  session_id: string;
  title: string;
  user_id: string;
  message_count: number;
  assignments: SessionStateAssignment[];
  theme_hint?: string;
  theme?: { primary: string; secondary: string };
  run?: RunRef | null;
}

export interface SendAccepted {
  run_id: number | string;
  message: Message;
}

export type RunId = number | string;

/** Payloads of the WebSocket broadcasts (`{event, payload, seq}`). */
export interface EventPayloads {
  run_started: { session_id: string; run_id: RunId };
  message_created: { message_id: number; message: Message };
  agent_started: { run_id: RunId; agent: string; role?: string };
  /** `offset`: where `delta` starts in the message's text (when the server says). */
  agent_token: { run_id: RunId; agent: string; message_id: number | null; delta: string; offset?: number };
  tool_call: { run_id: RunId; agent: string; tool_call_id: string; tool_name: string; input: Json };
  tool_result: {
    run_id: RunId;
    agent: string;
    tool_call_id: string;
    tool_name: string;
    output: Json;
    is_error?: boolean;
    message_id?: number;
    latency_ms?: number;
  };
  agent_turn: { run_id: RunId; agent: string; role?: string; message_id: number; content: string };
  run_completed: { run_id: RunId; session_id: string };
  run_error: { run_id: RunId; session_id: string; error: string };
  run_cancelled: { run_id: RunId; session_id: string };
  session_updated: { session: Session };
  session_deleted: { session_id: string };
}

export type EventName = keyof EventPayloads;

export type ChatEvent = {
  [K in EventName]: { event: K; payload: EventPayloads[K]; seq: number };
}[EventName];

/** Sent instead of a replay that is no longer possible; the numbering continues from `seq`. */
export interface ResyncFrame {
  event: "resync";
  payload: { reason?: string; seq?: number };
}

export interface ConnectedFrame {
  event: "connected";
  session_id: string;
  seq: number;
}

/**
 * What the chat shows, as a pure function of what happened: `reduce(view, event) → view`.
 * Events are the server's broadcasts (in seq order; see sequencer.ts) and the store's local ones
 * (a REST snapshot, a send or a cancel and how it went, the socket's status). No I/O, no clock:
 * ids and render keys come from a counter in the view.
 *
 * Messages are kept in display order with stable render keys. While an agent works, placeholders
 * stand in for what the server has not stored yet: a "typing" bubble per agent and run, and a card
 * per pending tool call. The stored message takes its placeholder's place and render key (no jump,
 * no duplicate). Replayed events change nothing (a message is keyed by its id, a token that the
 * text already has is not added again).
 */

import type {
  ChatEvent,
  EventPayload,
  Json,
  Message,
  QueuedRun,
  Rating,
  Session,
  SessionState,
  Turn,
} from "@/lib/contract/types";
import { type Activity, displayName } from "./agents";
import type { SocketInfo } from "./socket";
import type { FoldPref, FoldState } from "./turns";

type RunId = number;
type SessionStateAssignment = SessionState["assignments"][number];

export type LoadPhase = "loading" | "ready" | "not_found" | "deleted";

export interface SendError {
  kind: "conflict" | "network" | "invalid" | "server";
  message: string;
  /** The text that failed, so "Retry" can send it again. */
  content: string;
}

export interface Notice {
  id: number;
  tone: "error" | "info";
  message: string;
}

export interface ConversationView {
  sessionId: string;
  phase: LoadPhase;
  /** Set while the history cannot be loaded (the UI shows it and keeps retrying). */
  loadError: string | null;
  /** Messages in display order; placeholders (streaming, pending tool calls) included. */
  items: Message[];
  /** Stable render keys, parallel to `items` (a placeholder keeps its key when it becomes real). */
  keys: string[];
  /** The run currently going, if any. */
  run: { id: RunId } | null;
  activity: Activity | null;
  stopping: boolean;
  socket: SocketInfo;
  title: string;
  assignments: SessionStateAssignment[];
  sending: boolean;
  sendError: SendError | null;
  notices: Notice[];
  /** The latest line for the polite live region (a new object for each announcement). */
  announcement: { id: number; text: string } | null;
  /**
   * A streaming message's text has a hole (a token starts past its end): the server's copy lagged
   * behind the socket. Only a new snapshot can fill it.
   */
  missingText: boolean;
  /** Runs that ended while the view was open, so a late event or answer cannot revive one. */
  endedRuns: string[];
  /** How the turns' work strips show (the reader's choices). */
  fold: FoldState;
  /** The user message being edited in place, if any. */
  editing: number | null;
  /** Messages waiting behind the running run, in order (the server's queue). */
  queue: QueuedRun[];
  /** The active path's turns as the server stores them: status and reason, versions, edits. */
  turns: Turn[];
  /** Source of local ids (negative message ids, render keys, notice ids). */
  counter: number;
}

/** What the store tells the reducer, besides the server's broadcasts. */
export type LocalEvent =
  /** A REST snapshot, then the frames that arrived while it loaded (in seq order). */
  | {
      event: "snapshot_loaded";
      history: Message[];
      state: SessionState;
      buffered: ChatEvent[];
      turns?: Turn[];
      queue?: QueuedRun[];
    }
  | { event: "turns_loaded"; turns: Turn[] }
  | { event: "snapshot_failed"; error: string }
  | { event: "session_missing" }
  | { event: "socket"; info: SocketInfo }
  | { event: "send_started" }
  /** `status`: the run started, waits in the queue, or the message joined the running run (steer). */
  | { event: "send_accepted"; run_id: RunId; message: Message; status?: "running" | "queued" | "steering" }
  /** `run_id`: the run that is going (a 409); `gone`: the session no longer exists. */
  | { event: "send_failed"; error: SendError; run_id?: RunId; gone?: boolean }
  | { event: "send_error_cleared" }
  | { event: "title_changed"; title: string }
  | { event: "cancel_requested" }
  /** The server recorded the cancel (its `run_cancelled` may not reach a closed socket). */
  | { event: "cancel_confirmed"; run_id: RunId }
  /** Nothing was running any more. */
  | { event: "cancel_refused"; run_id: RunId }
  | { event: "cancel_failed"; message: string }
  | { event: "notice_dismissed"; id: number }
  | { event: "notice"; message: string }
  /** A rating shown at once, before the server has it. */
  | { event: "rating_requested"; message_id: number; rating: Rating | null }
  | { event: "rating_saved"; message: Message }
  /** The server refused or could not be reached: `rating` is what it was before. */
  | { event: "rating_failed"; message_id: number; rating: Rating | null; message: string }
  /** The remembered choice of how finished turns' work shows (from the browser's storage). */
  | { event: "fold_pref_loaded"; pref: FoldPref | null }
  | { event: "fold_toggled"; turn: string; open: boolean }
  | { event: "edit_started"; message_id: number }
  | { event: "edit_cancelled" };

export type ConversationEvent = ChatEvent | LocalEvent;

type RunEnd = "completed" | "error" | "cancelled";

/** Ended runs remembered (a late answer names one of the last few). */
const ENDED_RUNS_KEPT = 20;
const NOTICES_KEPT = 3;

export function initialView(sessionId: string): ConversationView {
  return {
    sessionId,
    phase: "loading",
    loadError: null,
    items: [],
    keys: [],
    run: null,
    activity: null,
    stopping: false,
    socket: { status: "idle", attempt: 0, nextRetryAt: null },
    title: "",
    assignments: [],
    sending: false,
    sendError: null,
    notices: [],
    announcement: null,
    missingText: false,
    endedRuns: [],
    fold: { pref: null, turns: {} },
    editing: null,
    queue: [],
    turns: [],
    counter: 0,
  };
}

export function reduce(view: ConversationView, e: ConversationEvent): ConversationView {
  switch (e.event) {
    // --- Server broadcasts -------------------------------------------------------------------
    case "run_started":
      if (ended(view, e.payload.run_id) || sameRun(view.run?.id, e.payload.run_id)) return view;
      return { ...view, run: { id: e.payload.run_id }, activity: { phase: "starting" }, stopping: false };
    case "message_created":
      return upsert(view, e.payload.message);
    case "agent_started":
      return agentStarted(view, e.payload);
    case "agent_token":
      return token(view, e.payload);
    case "tool_call":
      return toolCall(view, e.payload);
    case "tool_result":
      return toolResult(view, e.payload);
    case "agent_turn":
      return agentTurn(view, e.payload);
    case "run_completed":
      return endRun(view, e.payload.run_id, "completed");
    case "run_error":
      return endRun(view, e.payload.run_id, "error", e.payload.error);
    case "run_cancelled":
      return endRun(view, e.payload.run_id, "cancelled");
    case "session_updated": {
      const { session } = e.payload;
      return session.session_id === view.sessionId
        ? { ...view, title: session.title, assignments: teamOf(session) }
        : view;
    }
    case "run_queued":
      return view.queue.some((q) => q.run_id === e.payload.run_id)
        ? view
        : {
            ...view,
            queue: [...view.queue, queuedOf(e.payload)].sort((a, b) => a.position - b.position),
          };
    case "queue_updated":
      return e.payload.session_id === view.sessionId ? { ...view, queue: e.payload.queue } : view;
    case "message_updated":
      return replaceStored(view, e.payload.message);
    case "session_deleted":
      return e.payload.session_id === view.sessionId ? { ...view, phase: "deleted", run: null, activity: null } : view;

    // --- Local events ------------------------------------------------------------------------
    case "snapshot_loaded": {
      const next = { ...view, turns: e.turns ?? view.turns, queue: e.queue ?? view.queue };
      return resume(snapshot(next, e.history, e.state), e.buffered);
    }
    case "turns_loaded":
      return { ...view, turns: e.turns };
    case "snapshot_failed":
      return { ...view, loadError: e.error };
    case "session_missing":
      return {
        ...view,
        phase: view.phase === "loading" ? "not_found" : "deleted",
        loadError: null,
        run: null,
        activity: null,
      };
    case "socket":
      return { ...view, socket: e.info };
    case "send_started":
      return { ...view, sending: true, sendError: null };
    case "send_accepted": {
      if (e.status === "queued") {
        // Its message joins the conversation when its run starts; until then it waits in the queue.
        const queued = view.queue.some((q) => q.run_id === e.run_id);
        const entry = queuedOf({ run_id: e.run_id, message: e.message, position: view.queue.length + 1 });
        return { ...view, sending: false, queue: queued ? view.queue : [...view.queue, entry] };
      }
      if (e.status === "steering") return { ...upsert(view, e.message), sending: false };
      const next = { ...upsert(view, e.message), sending: false };
      if (ended(next, e.run_id) || next.run) return next;
      return { ...next, run: { id: e.run_id }, activity: { phase: "starting" } };
    }
    case "send_failed": {
      const next = { ...view, sending: false, sendError: e.error };
      if (e.gone) return { ...next, phase: "deleted" };
      return e.run_id === undefined ? next : ensureRunning(next, e.run_id);
    }
    case "send_error_cleared":
      return { ...view, sendError: null };
    case "title_changed":
      return { ...view, title: e.title };
    case "cancel_requested":
      if (!view.run) return view;
      return { ...view, stopping: true, activity: { ...(view.activity ?? { phase: "thinking" }), phase: "stopping" } };
    case "cancel_confirmed":
      // With the socket open, `run_cancelled` ends the run (and may have already).
      return view.socket.status === "open" ? view : endRun(view, e.run_id, "cancelled");
    case "cancel_refused":
      return endRun(view, e.run_id, "completed");
    case "cancel_failed": {
      const a = view.activity;
      const next = { ...view, stopping: false, activity: a && { ...a, phase: "thinking" as const } };
      return notify(next, e.message);
    }
    case "notice_dismissed":
      return { ...view, notices: view.notices.filter((n) => n.id !== e.id) };
    case "notice":
      return notify(view, e.message);
    case "rating_requested":
      return rate(view, e.message_id, e.rating);
    case "rating_saved":
      return replaceStored(view, e.message);
    case "rating_failed":
      return notify(rate(view, e.message_id, e.rating), e.message);
    case "fold_pref_loaded":
      return { ...view, fold: { ...view.fold, pref: e.pref } };
    case "fold_toggled":
      // The choice on one turn is also the reader's preference for the turns to come.
      return {
        ...view,
        fold: { pref: e.open ? "open" : "closed", turns: { ...view.fold.turns, [e.turn]: e.open } },
      };
    case "edit_started": {
      const m = view.items.find((x) => x.id === e.message_id);
      return m?.role === "user" ? { ...view, editing: e.message_id } : view;
    }
    case "edit_cancelled":
      return view.editing === null ? view : { ...view, editing: null };
    default:
      // An event this client does not know yet (a newer server): nothing to show.
      return view;
  }
}

// ---------------------------------------------------------------------------------------------
// Messages: identity, placeholders, list edits
// ---------------------------------------------------------------------------------------------

const sameRun = (a: unknown, b: RunId | null | undefined) => a != null && b != null && String(a) === String(b);
const isStreaming = (m: Message) => m.metadata?.streaming === true;
const isPlaceholder = (m: Message) => m.id < 0;
const runOf = (m: Message) => m.metadata?.run_id as RunId | undefined;
const toolCallOf = (m: Message) => m.metadata?.tool_call_id as string | undefined;

/** The "typing" bubble of an agent that has started its turn in `run` but has no message yet. */
function typingIndex(items: Message[], run: RunId, agent: string): number {
  return items.findIndex(
    (m) => isPlaceholder(m) && m.role === "agent" && m.agent?.name === agent && sameRun(runOf(m), run),
  );
}

/** The agent has a message (stored or being written) in this run. */
function hasTurn(items: Message[], run: RunId, agent: string): boolean {
  return items.some((m) => m.role === "agent" && m.agent?.name === agent && sameRun(runOf(m), run));
}

/** Where a message from the server goes: its own place, or that of the placeholder it replaces. */
function placeOf(items: Message[], m: Message, byId?: Map<number, number>): number {
  const own = byId ? (byId.get(m.id) ?? -1) : items.findIndex((x) => x.id === m.id);
  if (own >= 0) return own;
  const run = runOf(m);
  if (m.role === "agent" && m.agent && run != null) return typingIndex(items, run, m.agent.name);
  const call = toolCallOf(m);
  if (m.role === "tool" && call) return items.findIndex((x) => isPlaceholder(x) && toolCallOf(x) === call);
  return -1;
}

function sameMessage(a: Message, b: Message): boolean {
  return (
    a.id === b.id &&
    a.updated_at === b.updated_at &&
    a.content === b.content &&
    a.role === b.role &&
    a.rating === b.rating &&
    JSON.stringify(a.metadata) === JSON.stringify(b.metadata) &&
    JSON.stringify(a.tool_output) === JSON.stringify(b.tool_output)
  );
}

/**
 * The server's copy of a message that is still being written may lag what the socket delivered
 * (it is saved a few times a second): keep the longer text it is the start of.
 */
function merge(old: Message | undefined, m: Message): Message {
  if (!old) return m;
  if (
    old.id === m.id &&
    isStreaming(old) &&
    isStreaming(m) &&
    old.content.length > m.content.length &&
    old.content.startsWith(m.content)
  ) {
    m = { ...m, content: old.content };
  }
  return sameMessage(old, m) ? old : m;
}

function roleOf(view: ConversationView, agent: string): string {
  return (
    view.assignments.find((a) => a.agent === agent)?.role ??
    view.items.find((m) => m.agent?.name === agent && m.agent.role)?.agent?.role ??
    ""
  );
}

/** A message the server has not stored yet. Times are blank: the UI shows them for stored ones. */
function placeholder(
  view: ConversationView,
  fields: Partial<Message> & Pick<Message, "role" | "metadata">,
  agent: string,
  role = roleOf(view, agent),
): Message {
  return {
    id: -(view.counter + 1),
    session: -1,
    agent: {
      id: -1,
      name: agent,
      role,
      description: "",
      model_hint: "",
      is_active: true,
      created_at: "",
      updated_at: "",
    },
    content: "",
    tool_name: "",
    tool_input: null,
    tool_output: null,
    tokens_prompt: null,
    tokens_completion: null,
    latency_ms: null,
    rating: null,
    run_id: null,
    created_at: "",
    updated_at: "",
    ...fields,
  };
}

function insert(view: ConversationView, m: Message, at = view.items.length): ConversationView {
  const counter = view.counter + 1;
  const items = [...view.items];
  const keys = [...view.keys];
  items.splice(at, 0, m);
  keys.splice(at, 0, `k${counter}`);
  return { ...view, items, keys, counter };
}

function replaceAt(view: ConversationView, i: number, m: Message): ConversationView {
  if (view.items[i] === m) return view;
  const items = [...view.items];
  items[i] = m;
  return { ...view, items };
}

function removeAt(view: ConversationView, i: number): ConversationView {
  return { ...view, items: view.items.filter((_, j) => j !== i), keys: view.keys.filter((_, j) => j !== i) };
}

function move(view: ConversationView, from: number, to: number): ConversationView {
  const m = view.items[from];
  const key = view.keys[from];
  const rest = removeAt(view, from);
  const items = [...rest.items];
  const keys = [...rest.keys];
  items.splice(to, 0, m);
  keys.splice(to, 0, key);
  return { ...view, items, keys };
}

function upsert(view: ConversationView, m: Message): ConversationView {
  const i = placeOf(view.items, m);
  const old = i >= 0 ? view.items[i] : undefined;
  const next = merge(old, m);
  if (next === old) return view;
  const updated = i >= 0 ? replaceAt(view, i, next) : insert(view, next);
  // Announced once, when an agent's turn is done.
  const replied = m.role === "agent" && !isStreaming(next) && (!old || isStreaming(old) || isPlaceholder(old));
  return replied ? announce(updated, `${displayName(m.agent?.name)} replied.`) : updated;
}

function queuedOf(p: { run_id: RunId; message: Message; position: number }): QueuedRun {
  return {
    run_id: p.run_id,
    kind: "send",
    position: p.position,
    message_id: p.message.id,
    content: p.message.content,
    message: p.message,
  };
}

/** A newer copy of a message the view shows (one it does not show stays out: another branch). */
function replaceStored(view: ConversationView, m: Message): ConversationView {
  const i = view.items.findIndex((x) => x.id === m.id);
  if (i < 0) return view;
  const next = merge(view.items[i], m);
  return replaceAt(view, i, next);
}

function rate(view: ConversationView, id: number, rating: Rating | null): ConversationView {
  const i = view.items.findIndex((x) => x.id === id);
  if (i < 0 || view.items[i].rating === rating) return view;
  return replaceAt(view, i, { ...view.items[i], rating });
}

// ---------------------------------------------------------------------------------------------
// Run events
// ---------------------------------------------------------------------------------------------

const ended = (view: ConversationView, run: RunId) => view.endedRuns.includes(String(run));

function ensureRunning(view: ConversationView, run: RunId): ConversationView {
  if (view.run || ended(view, run)) return view;
  return { ...view, run: { id: run } };
}

/** Sets what the agents are doing; while stopping, the line keeps saying so. */
function doing(view: ConversationView, activity: Activity): ConversationView {
  if (view.stopping || !view.run) return view;
  return { ...view, activity };
}

function agentStarted(view: ConversationView, p: EventPayload<"agent_started">): ConversationView {
  if (ended(view, p.run_id)) return view; // a replay: the turn is over
  view = ensureRunning(view, p.run_id);
  const role = p.role ?? roleOf(view, p.agent);
  if (!hasTurn(view.items, p.run_id, p.agent) && typingIndex(view.items, p.run_id, p.agent) < 0) {
    view = insert(
      view,
      placeholder(view, { role: "agent", metadata: { streaming: true, run_id: p.run_id } }, p.agent, role),
    );
  }
  return doing(view, { phase: "thinking", agent: p.agent, role });
}

function token(view: ConversationView, p: EventPayload<"agent_token">): ConversationView {
  if (ended(view, p.run_id)) return view;
  view = ensureRunning(view, p.run_id);
  let i = p.message_id !== null ? view.items.findIndex((m) => m.id === p.message_id) : -1;
  if (i < 0) {
    // The first token names the agent's message: the typing bubble becomes it.
    i = typingIndex(view.items, p.run_id, p.agent);
    const id = p.message_id ?? undefined;
    if (i >= 0 && id !== undefined) view = replaceAt(view, i, { ...view.items[i], id });
  }
  if (i < 0) {
    const m = placeholder(view, { role: "agent", metadata: { streaming: true, run_id: p.run_id } }, p.agent);
    view = insert(view, p.message_id !== null ? { ...m, id: p.message_id } : m);
    i = view.items.length - 1;
  }
  const m = view.items[i];
  if (!isStreaming(m)) return view; // already final: a late delta
  let content = m.content + p.delta;
  if (p.offset !== undefined) {
    if (p.offset > m.content.length) return { ...view, missingText: true };
    // A delta the text already holds (from a snapshot) is not added twice.
    content = p.offset + p.delta.length <= m.content.length ? m.content : m.content.slice(0, p.offset) + p.delta;
  }
  if (content !== m.content) view = replaceAt(view, i, { ...m, content });
  const a = view.activity;
  if (a?.phase === "writing" && a.agent === p.agent) return view;
  return doing(view, { phase: "writing", agent: p.agent, role: roleOf(view, p.agent) });
}

function toolCall(view: ConversationView, p: EventPayload<"tool_call">): ConversationView {
  if (ended(view, p.run_id)) return view;
  view = ensureRunning(view, p.run_id);
  if (!view.items.some((m) => toolCallOf(m) === p.tool_call_id)) {
    const card = placeholder(
      view,
      {
        role: "tool",
        tool_name: p.tool_name,
        tool_input: p.input,
        metadata: { pending: true, tool_call_id: p.tool_call_id, run_id: p.run_id },
      },
      p.agent,
    );
    view = insert(view, card);
    // The agent's message is stored at its first token: without one yet, the card comes first
    // (as in the history), and the typing bubble moves below it.
    const typing = typingIndex(view.items, p.run_id, p.agent);
    if (typing >= 0 && !view.items[typing].content) view = move(view, typing, view.items.length - 1);
  }
  return doing(view, { phase: "tool", agent: p.agent, tool: p.tool_name, role: roleOf(view, p.agent) });
}

function toolResult(view: ConversationView, p: EventPayload<"tool_result">): ConversationView {
  const i = view.items.findIndex((m) => isPlaceholder(m) && toolCallOf(m) === p.tool_call_id);
  if (i >= 0) {
    // The stored tool message normally comes first and takes the card's place; else the card
    // shows the result.
    const stored = p.message_id !== undefined && view.items.some((m) => m.id === p.message_id);
    if (stored) view = removeAt(view, i);
    else {
      const card = view.items[i];
      view = replaceAt(view, i, {
        ...card,
        id: p.message_id ?? card.id,
        tool_output: p.output,
        latency_ms: p.latency_ms ?? null,
        metadata: { ...card.metadata, pending: false, is_error: !!p.is_error },
      });
    }
  }
  return doing(view, { phase: "thinking", agent: p.agent, role: roleOf(view, p.agent) });
}

function agentTurn(view: ConversationView, p: EventPayload<"agent_turn">): ConversationView {
  const i = view.items.findIndex((m) => m.id === p.message_id);
  const m = i >= 0 ? view.items[i] : undefined;
  if (!m) {
    // The stored message never came (it is in the next snapshot): show the turn's text.
    const base = placeholder(view, { role: "agent", metadata: { run_id: p.run_id } }, p.agent, p.role);
    view = upsert(view, { ...base, id: p.message_id, content: p.content });
  } else if (isStreaming(m)) {
    view = replaceAt(view, i, { ...m, content: p.content, metadata: { ...m.metadata, streaming: false } });
  }
  const typing = typingIndex(view.items, p.run_id, p.agent);
  if (typing >= 0) view = removeAt(view, typing);
  return doing(view, { phase: "handoff", agent: p.agent });
}

function endRun(view: ConversationView, run: RunId, how: RunEnd, error?: string): ConversationView {
  if (ended(view, run)) return view;
  view = { ...view, endedRuns: [...view.endedRuns, String(run)].slice(-ENDED_RUNS_KEPT) };
  view = finish(view, run, how);
  if (view.run && !sameRun(view.run.id, run)) return view; // another run is going
  // "Still working" no longer holds: the kept draft can be sent now.
  const sendError = view.sendError?.kind === "conflict" ? null : view.sendError;
  view = { ...view, run: null, activity: null, stopping: false, sendError };
  // A failure shows on its turn (from the server's turns), not in a banner that goes away.
  if (how === "error") {
    const reason = error || "unknown error";
    return announce(view, `The run failed: ${reason.endsWith(".") ? reason.slice(0, -1) : reason}.`);
  }
  return announce(view, how === "cancelled" ? "Stopped." : "The agents are done.");
}

/** A run's placeholders once it is over: empty typing bubbles go, unfinished work is marked. */
function finish(view: ConversationView, run: RunId, how: RunEnd | "interrupted"): ConversationView {
  for (let i = view.items.length - 1; i >= 0; i--) {
    const m = view.items[i];
    if (!sameRun(runOf(m), run) || !(isStreaming(m) || m.metadata?.pending === true)) continue;
    if (isPlaceholder(m) && m.role === "agent" && !m.content) {
      view = removeAt(view, i);
      continue;
    }
    const meta: Record<string, Json> = { ...m.metadata, streaming: false, pending: false };
    if (how === "cancelled") meta.cancelled = true;
    else if (how === "error") meta.error ??= "The run failed.";
    else if (how === "interrupted") meta.interrupted = true;
    view = replaceAt(view, i, { ...m, metadata: meta });
  }
  return view;
}

// ---------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------

/** The session's team as the state snapshot lists it, from the whole Session a `session_updated` carries. */
function teamOf(session: Session): SessionStateAssignment[] {
  return session.assignments.map((a) => ({
    order: a.order,
    agent: a.agent.name,
    role: a.agent.role,
    prompt_override: a.prompt_override.trim() !== "",
  }));
}

/**
 * Replaces the messages by the server's history, keeping render keys and unchanged objects.
 * Messages are found by id through maps: a scan for each took 107 ms to open a chat of 10,120
 * messages, and 202 ms at a resync (`npm run bench -- run`).
 */
function snapshot(view: ConversationView, history: Message[], state: SessionState): ConversationView {
  const running = state.run && state.run.status === "running" ? state.run : null;
  const items: Message[] = [];
  const keys: string[] = [];
  const used = new Set<number>();
  const taken = new Set<number>();
  const byId = new Map<number, number>();
  view.items.forEach((m, i) => {
    if (!byId.has(m.id)) byId.set(m.id, i);
  });
  let counter = view.counter;
  for (const m of history) {
    if (taken.has(m.id)) continue;
    taken.add(m.id);
    const i = placeOf(view.items, m, byId);
    const old = i >= 0 && !used.has(i) ? view.items[i] : undefined;
    if (old) used.add(i);
    items.push(merge(old, m));
    keys.push(old ? view.keys[i] : `k${++counter}`);
  }
  // Placeholders of the run still going that the history does not have yet (a typing bubble, a
  // tool call in flight).
  view.items.forEach((m, i) => {
    if (used.has(i) || !isPlaceholder(m) || !running || !sameRun(runOf(m), running.id)) return;
    items.push(m);
    keys.push(view.keys[i]);
  });
  let next: ConversationView = {
    ...view,
    items,
    keys,
    counter,
    phase: "ready",
    loadError: null,
    missingText: false,
    title: state.title ?? view.title,
    assignments: state.assignments ?? [],
  };
  if (running) {
    const same = view.run && sameRun(view.run.id, running.id);
    next = {
      ...next,
      run: same ? view.run : { id: running.id },
      stopping: same ? view.stopping : false,
      activity: view.activity ?? { phase: "thinking" },
    };
  } else {
    next = { ...next, run: null, activity: null, stopping: false };
  }
  // Only the running run streams: anything else still marked so was cut off (the server stopped).
  for (const run of new Set(items.filter((m) => isStreaming(m) && !sameRun(runOf(m), running?.id)).map(runOf))) {
    next = finish(next, run as RunId, "interrupted");
  }
  return next;
}

/**
 * Applies the frames that arrived while a snapshot loaded. Token frames without an `offset` may
 * repeat text the snapshot already holds: per message, the longest run of leading deltas that the
 * snapshot's text ends with is skipped.
 */
function resume(view: ConversationView, frames: ChatEvent[]): ConversationView {
  const skip = new Set<ChatEvent>();
  const byMessage = new Map<number, ChatEvent[]>();
  for (const f of frames) {
    if (f.event !== "agent_token" || f.payload.message_id === null || f.payload.offset !== undefined) continue;
    const list = byMessage.get(f.payload.message_id) ?? [];
    list.push(f);
    byMessage.set(f.payload.message_id, list);
  }
  for (const [id, list] of byMessage) {
    const text = view.items.find((m) => m.id === id && isStreaming(m))?.content;
    if (!text) continue;
    let acc = "";
    let overlap = 0;
    for (let i = 0; i < list.length; i++) {
      acc += (list[i].payload as EventPayload<"agent_token">).delta;
      if (acc.length > text.length) break;
      // Short runs match by chance too often.
      if (acc.length >= 4 && text.endsWith(acc)) overlap = i + 1;
    }
    for (const f of list.slice(0, overlap)) skip.add(f);
  }
  return frames.reduce((v, f) => (skip.has(f) ? v : reduce(v, f)), view);
}

// ---------------------------------------------------------------------------------------------
// Notices and announcements
// ---------------------------------------------------------------------------------------------

function notify(view: ConversationView, message: string): ConversationView {
  const counter = view.counter + 1;
  // Keep the last few; an identical message replaces the older one.
  const notices = [
    ...view.notices.filter((n) => n.message !== message),
    { id: counter, tone: "error" as const, message },
  ].slice(-NOTICES_KEPT);
  return { ...view, notices, counter };
}

function announce(view: ConversationView, text: string): ConversationView {
  const counter = view.counter + 1;
  return { ...view, announcement: { id: counter, text }, counter };
}

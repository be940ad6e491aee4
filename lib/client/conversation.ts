/**
 * The live state of one conversation: history from REST, then events from the WebSocket.
 *
 * Guarantees (the UI relies on them):
 * 1. Nothing shown twice: messages are keyed by id; broadcast frames are deduplicated by `seq`
 *    (a frame whose seq is not above the last one applied is dropped).
 * 2. Nothing lost: a reconnect resumes with `?since=<last seq>`; a `resync` event, a gap in the
 *    seq numbers, or a `connected` frame whose seq is below the last one seen (the server
 *    restarted) refetches the history (and the run state) over REST. Frames arriving while a
 *    refetch is in flight are buffered and applied after it, in order.
 * 3. Streaming: `agent_token` deltas build a placeholder message under the id the final message
 *    will have; the final `message_created` replaces it in place (no jump, no duplicate).
 *
 * Plain TypeScript (no React): components read it through `useSyncExternalStore`.
 */
import { Activity, displayName } from "./agents";
import { ApiClient, ApiError, api as defaultApi, describeError, isApiError } from "./api";
import { backoffDelay } from "./backoff";
import { isPlaceholderTitle, titleFromMessage } from "./format";
import { ChatSocket, SocketInfo } from "./socket";
import { Store } from "./store";
import type { Agent, ChatEvent, EventPayloads, Json, Message, RunId, Session, SessionStateAssignment } from "./types";

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

export interface ConversationSnapshot {
  sessionId: string;
  phase: LoadPhase;
  /** Set while the history cannot be loaded (the UI shows it and keeps retrying). */
  loadError: string | null;
  /** Messages in display order; placeholders (streaming, pending tool calls) included. */
  items: Message[];
  /** Stable render keys, parallel to `items` (a placeholder keeps its key when it becomes real). */
  keys: string[];
  /** The run currently going, if any. */
  run: { id: RunId | null } | null;
  activity: Activity | null;
  stopping: boolean;
  socket: SocketInfo;
  title: string;
  assignments: SessionStateAssignment[];
  sending: boolean;
  sendError: SendError | null;
  notices: Notice[];
  /** True while a REST resync is in flight after the first load. */
  resyncing: boolean;
}

export interface ConversationCallbacks {
  onSessionUpdated?: (session: Session) => void;
  onSessionDeleted?: (sessionId: string) => void;
  /** A run ended (completed, failed or cancelled) — the sessions list may have changed. */
  onRunEnded?: () => void;
  /** Short text for the polite live region. */
  onAnnounce?: (text: string) => void;
}

export interface ConversationOptions extends ConversationCallbacks {
  api?: ApiClient;
  /** Create the socket (tests inject a fake). */
  createSocket?: (opts: ConstructorParameters<typeof ChatSocket>[0]) => Pick<ChatSocket, "start" | "stop" | "reconnectNow">;
  /** Time to wait for a replay after a reconnect before refetching (ms). */
  replayGraceMs?: number;
}

/** Synthetic placeholders use negative ids so they never collide with server ids. */
let syntheticId = -1;
let noticeId = 1;

const key = (id: number) => `m:${id}`;

function sameMessage(a: Message, b: Message): boolean {
  return (
    a.id === b.id &&
    a.updated_at === b.updated_at &&
    a.content === b.content &&
    a.role === b.role &&
    JSON.stringify(a.metadata) === JSON.stringify(b.metadata) &&
    JSON.stringify(a.tool_output) === JSON.stringify(b.tool_output)
  );
}

function isStreaming(m: Message | undefined): boolean {
  return !!m && !!m.metadata && m.metadata.streaming === true;
}

function syntheticAgent(name: string, role: string | undefined): Agent {
  return { id: -1, name, role: role ?? "" };
}

function nowIso(): string {
  return new Date().toISOString();
}

export class ConversationStore extends Store<ConversationSnapshot> {
  readonly sessionId: string;
  private readonly api: ApiClient;
  private readonly cb: ConversationCallbacks;
  private readonly socket: Pick<ChatSocket, "start" | "stop" | "reconnectNow">;
  private readonly replayGraceMs: number;

  // Message store: key → message, plus display order.
  private map = new Map<string, Message>();
  private order: string[] = [];
  /** tool_call_id → key of its card. */
  private toolKeys = new Map<string, string>();
  /** agent name → role, learnt from assignments, messages and agent_started. */
  private roles = new Map<string, string>();
  /** store key → stable render key. */
  private uids = new Map<string, string>();
  private nextUid = 1;

  // Event sequencing.
  private lastSeq: number | null = null;
  /** A REST request is in flight. */
  private inFlight = false;
  /** Frames are buffered until the next successful REST snapshot. */
  private buffering = false;
  private loadedOnce = false;
  private connectedOnce = false;
  private historyBeforeConnect = false;
  private buffer: ChatEvent[] = [];
  private resyncQueued = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private replayTimer: ReturnType<typeof setTimeout> | null = null;
  private firstTimer: ReturnType<typeof setTimeout> | null = null;
  private loadAttempt = 0;
  private disposed = false;
  private endedRuns = new Set<string>();
  private pendingFirst: string | null = null;
  /**
   * Catch-up after a mid-run page load: the REST snapshot of a message that is still being
   * written has no text yet, so the socket is reopened with `?since=0` and, up to `upTo`, only
   * the token frames of those messages are applied (everything else is already in the snapshot).
   */
  private catchUp: { upTo: number; ids: Set<number> } | null = null;
  private caughtUp = false;

  constructor(sessionId: string, opts: ConversationOptions = {}) {
    super({
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
      resyncing: false,
    });
    this.sessionId = sessionId;
    this.api = opts.api ?? defaultApi;
    this.cb = opts;
    this.replayGraceMs = opts.replayGraceMs ?? 1500;
    const create = opts.createSocket ?? ((o) => new ChatSocket(o));
    this.socket = create({
      sessionId,
      getSince: () => this.lastSeq,
      onStatus: (info) => this.setState({ socket: info }),
      onFrame: (f) => this.onFrame(f),
    });
  }

  // ---------------------------------------------------------------------------------------
  // 1. Lifecycle
  // ---------------------------------------------------------------------------------------

  /** Loads the history and connects. `firstMessage` is sent once both are ready. */
  start(firstMessage?: string): void {
    this.pendingFirst = firstMessage?.trim() ? firstMessage : null;
    this.socket.start();
    void this.sync("initial");
  }

  dispose(): void {
    this.disposed = true;
    this.socket.stop();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.replayTimer) clearTimeout(this.replayTimer);
    if (this.firstTimer) clearTimeout(this.firstTimer);
  }

  /** Reconnect the socket and refetch at once (the "Retry now" button). */
  retryNow(): void {
    this.socket.reconnectNow();
    if (this.getSnapshot().loadError) {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      void this.sync(this.loadedOnce ? "resync" : "initial");
    }
  }

  dismissNotice(id: number): void {
    this.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  }

  clearSendError(): void {
    this.setState({ sendError: null });
  }

  private notify(message: string, tone: Notice["tone"] = "error"): void {
    const n: Notice = { id: noticeId++, tone, message };
    // Keep the last three; an identical message replaces the older one.
    this.setState((s) => ({ notices: [...s.notices.filter((x) => x.message !== message), n].slice(-3) }));
  }

  // ---------------------------------------------------------------------------------------
  // 2. REST sync (initial load and resync)
  // ---------------------------------------------------------------------------------------

  private async sync(reason: "initial" | "resync"): Promise<void> {
    if (this.disposed) return;
    if (this.inFlight) {
      this.resyncQueued = true;
      return;
    }
    this.inFlight = true;
    this.buffering = true;
    if (reason === "resync") this.setState({ resyncing: true });
    const seqAtStart = this.lastSeq;
    try {
      const [history, state] = await Promise.all([this.api.history(this.sessionId), this.api.state(this.sessionId)]);
      if (this.disposed) return;
      this.loadAttempt = 0;
      for (const a of state.assignments ?? []) this.roles.set(a.agent, a.role);
      const running = !!state.run && !["success", "error", "cancelled", "completed"].includes(String(state.run.status));
      this.applyHistory(history, running);
      const run = running && state.run ? { id: state.run.id } : null;
      this.setState((s) => ({
        phase: "ready",
        loadError: null,
        title: state.title ?? s.title,
        assignments: state.assignments ?? [],
        run,
        activity: run ? (s.activity ?? { phase: "thinking" }) : null,
        stopping: run ? s.stopping : false,
      }));
      if (!run) this.finalizePlaceholders(null);
      if (!this.connectedOnce) this.historyBeforeConnect = true;
      this.loadedOnce = true;
    } catch (e) {
      this.inFlight = false;
      if (this.disposed) return;
      if (isApiError(e) && e.kind === "http" && e.status === 404) {
        this.buffering = false;
        this.buffer = [];
        this.socket.stop();
        this.setState({ phase: this.loadedOnce ? "deleted" : "not_found", loadError: null, resyncing: false, run: null, activity: null });
        return;
      }
      // Keep buffering frames; retry with backoff.
      this.setState({ loadError: describeError(e) });
      const delay = backoffDelay(this.loadAttempt++);
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.sync(this.loadedOnce ? "resync" : "initial");
      }, delay);
      return;
    }
    this.inFlight = false;
    if (this.resyncQueued) {
      // Something asked for a newer snapshot meanwhile: take it before applying the buffer.
      this.resyncQueued = false;
      void this.sync("resync");
      return;
    }
    if (this.startCatchUp()) return;
    // Apply what arrived meanwhile, in order.
    this.buffering = false;
    const buffered = this.buffer;
    this.buffer = [];
    this.drain(buffered, seqAtStart);
    if (!this.buffering) this.setState({ resyncing: false });
    this.maybeSendFirst();
  }

  /** See `catchUp`. Returns true when a catch-up replay was started (the buffer is dropped). */
  private startCatchUp(): boolean {
    if (this.caughtUp || !this.connectedOnce || this.lastSeq === null || this.lastSeq === 0 || !this.getSnapshot().run) return false;
    const ids = new Set<number>();
    for (const [k, m] of this.map) {
      if (k.startsWith("m:") && m.id > 0 && m.role === "agent" && isStreaming(m)) ids.add(m.id);
    }
    if (!ids.size) return false;
    this.caughtUp = true;
    for (const id of ids) {
      const m = this.map.get(key(id))!;
      this.map.set(key(id), { ...m, content: "" });
    }
    this.publish();
    this.catchUp = { upTo: this.lastSeq, ids };
    this.lastSeq = 0;
    this.buffer = [];
    this.buffering = false;
    this.setState({ resyncing: false });
    this.socket.reconnectNow();
    return true;
  }

  /** Replaces the message list by the server's history, keeping unchanged objects (no re-render). */
  private applyHistory(history: Message[], running: boolean): void {
    const nextMap = new Map<string, Message>();
    const nextOrder: string[] = [];
    for (const m of history) {
      const k = key(m.id);
      if (nextMap.has(k)) continue;
      const old = this.map.get(k);
      nextMap.set(k, old && sameMessage(old, m) ? old : m);
      nextOrder.push(k);
      if (m.agent) this.roles.set(m.agent.name, m.agent.role);
    }
    // Keep live placeholders that the history does not know yet (e.g. a tool call in flight).
    for (const k of this.order) {
      if (nextMap.has(k)) continue;
      const m = this.map.get(k);
      if (m && running && (m.id < 0 || isStreaming(m) || m.metadata?.pending === true)) {
        nextMap.set(k, m);
        nextOrder.push(k);
      }
    }
    for (const [tc, k] of [...this.toolKeys]) if (!nextMap.has(k)) this.toolKeys.delete(tc);
    for (const k of [...this.uids.keys()]) if (!nextMap.has(k)) this.uids.delete(k);
    this.map = nextMap;
    this.order = nextOrder;
    this.publish();
  }

  private publish(): void {
    const items: Message[] = [];
    const keys: string[] = [];
    for (const k of this.order) {
      const m = this.map.get(k);
      if (!m) continue;
      items.push(m);
      let u = this.uids.get(k);
      if (!u) {
        u = `k${this.nextUid++}`;
        this.uids.set(k, u);
      }
      keys.push(u);
    }
    this.setState({ items, keys });
  }

  private moveUid(from: string, to: string): void {
    const u = this.uids.get(from);
    this.uids.delete(from);
    if (u && !this.uids.has(to)) this.uids.set(to, u);
  }

  private requestResync(): void {
    void this.sync("resync");
  }

  // ---------------------------------------------------------------------------------------
  // 3. WebSocket frames: sequencing, dedupe, buffering
  // ---------------------------------------------------------------------------------------

  private onFrame(f: Record<string, unknown>): void {
    if (this.disposed) return;
    const event = f.event;
    if (event === "connected") {
      const seq = typeof f.seq === "number" ? f.seq : null;
      if (!this.connectedOnce) {
        this.connectedOnce = true;
        this.lastSeq = seq;
        // History fetched before the socket connected may miss what happened in between.
        if (this.historyBeforeConnect) this.requestResync();
      } else if (seq === null) {
        // A server without seq numbers cannot replay: refetch.
        this.requestResync();
      } else if (this.lastSeq === null || seq < this.lastSeq) {
        // The server restarted (its sequence started over): refetch, then follow the new numbers.
        this.lastSeq = seq;
        this.requestResync();
      } else if (seq > this.lastSeq) {
        // Missed events are being replayed; if they do not arrive, refetch.
        const target = seq;
        if (this.replayTimer) clearTimeout(this.replayTimer);
        this.replayTimer = setTimeout(() => {
          this.replayTimer = null;
          if (this.lastSeq !== null && this.lastSeq < target) this.requestResync();
        }, this.replayGraceMs);
      }
      this.maybeSendFirst();
      return;
    }
    if (event === "echo" || event === "error") return;
    if (event === "resync") {
      // Replay was impossible: refetch, and follow the server's numbering from its current seq.
      const p = (f.payload ?? {}) as { seq?: unknown };
      if (typeof p.seq === "number") this.lastSeq = p.seq;
      this.catchUp = null;
      this.requestResync();
      return;
    }
    if (typeof event !== "string") return;
    const frame = { event, payload: (f.payload ?? {}) as object, seq: typeof f.seq === "number" ? f.seq : undefined } as ChatEvent;
    if (this.buffering) {
      if (this.buffer.length < 10_000) this.buffer.push(frame);
      return;
    }
    this.drain([frame], null);
  }

  /**
   * Applies frames in order with seq dedupe and gap detection. `snapshotSeq` is the seq at which
   * a REST snapshot was started; token frames for messages that the snapshot already holds as
   * streaming are reconciled so their text is not doubled.
   */
  private drain(frames: ChatEvent[], snapshotSeq: number | null): void {
    const skip = snapshotSeq !== null || frames.length > 1 ? this.overlappingTokens(frames) : new Set<ChatEvent>();
    for (const f of frames) {
      if (this.buffering) {
        // A resync started while draining: the rest waits for its snapshot.
        this.buffer.push(f);
        continue;
      }
      if (typeof f.seq === "number") {
        if (this.lastSeq !== null && f.seq <= this.lastSeq) continue; // already applied
        if (this.lastSeq !== null && f.seq > this.lastSeq + 1) {
          // A gap: something was lost. The snapshot covers the lost part; this frame follows it.
          this.lastSeq = f.seq - 1;
          this.buffer.push(f);
          this.requestResync();
          continue;
        }
        this.lastSeq = f.seq;
      }
      if (skip.has(f)) continue;
      if (this.catchUp && typeof f.seq === "number") {
        if (f.seq <= this.catchUp.upTo) {
          // Already in the snapshot, except the text of the messages being rebuilt.
          if (f.event === "agent_token" && typeof f.payload.message_id === "number" && this.catchUp.ids.has(f.payload.message_id)) this.onToken(f.payload);
          continue;
        }
        this.catchUp = null;
      }
      this.apply(f);
    }
  }

  /**
   * For streaming messages taken from a REST snapshot: the snapshot may already contain the
   * first deltas of the buffered frames. Finds, per message, the longest run of leading deltas
   * whose concatenation the snapshot text already ends with, and marks them to be skipped.
   */
  private overlappingTokens(frames: ChatEvent[]): Set<ChatEvent> {
    const skip = new Set<ChatEvent>();
    const byMessage = new Map<number, ChatEvent[]>();
    for (const f of frames) {
      if (f.event !== "agent_token" || typeof f.payload.message_id !== "number" || typeof f.payload.offset === "number") continue;
      const list = byMessage.get(f.payload.message_id) ?? [];
      list.push(f);
      byMessage.set(f.payload.message_id, list);
    }
    for (const [id, list] of byMessage) {
      const m = this.map.get(key(id));
      if (!m || !isStreaming(m) || !m.content) continue;
      let acc = "";
      let best = 0;
      for (let i = 0; i < list.length; i++) {
        acc += (list[i].payload as EventPayloads["agent_token"]).delta;
        if (acc.length > m.content.length) break;
        if (acc.length >= 4 && m.content.endsWith(acc)) best = i + 1;
      }
      for (let i = 0; i < best; i++) skip.add(list[i]);
    }
    return skip;
  }

  // ---------------------------------------------------------------------------------------
  // 4. Applying events
  // ---------------------------------------------------------------------------------------

  private apply(f: ChatEvent): void {
    switch (f.event) {
      case "run_started":
        if (this.endedRuns.has(String(f.payload.run_id))) return;
        this.setState({ run: { id: f.payload.run_id }, activity: { phase: "starting" }, stopping: false });
        return;
      case "message_created":
        if (f.payload.message) this.onMessage(f.payload.message);
        else this.requestResync(); // compat payload without the message: fetch it
        return;
      case "agent_started":
        this.onAgentStarted(f.payload);
        return;
      case "agent_token":
        this.onToken(f.payload);
        return;
      case "tool_call":
        this.onToolCall(f.payload);
        return;
      case "tool_result":
        this.onToolResult(f.payload);
        return;
      case "agent_turn":
        this.onAgentTurn(f.payload);
        return;
      case "run_completed":
        this.onRunEnd(f.payload.run_id, "completed");
        return;
      case "run_error":
        this.onRunEnd(f.payload.run_id, "error", f.payload.error);
        return;
      case "run_cancelled":
        this.onRunEnd(f.payload.run_id, "cancelled");
        return;
      case "session_updated":
        if (f.payload.session?.session_id === this.sessionId) {
          this.setState({ title: f.payload.session.title });
          this.cb.onSessionUpdated?.(f.payload.session);
        }
        return;
      case "session_deleted":
        if (f.payload.session_id === this.sessionId) {
          this.socket.stop();
          this.setState({ phase: "deleted", run: null, activity: null });
          this.cb.onSessionDeleted?.(this.sessionId);
        }
        return;
      case "resync":
        this.requestResync();
        return;
    }
  }

  private ensureRunning(runId: RunId | undefined): void {
    if (runId !== undefined && this.endedRuns.has(String(runId))) return;
    if (!this.getSnapshot().run) this.setState({ run: { id: runId ?? null } });
  }

  /** Inserts or replaces a message; `replaceKey` is a placeholder whose place it takes. */
  private upsert(m: Message, replaceKey?: string): void {
    const k = key(m.id);
    if (this.map.has(k)) {
      const old = this.map.get(k)!;
      if (sameMessage(old, m)) return;
      this.map.set(k, m);
      if (replaceKey && replaceKey !== k && this.map.has(replaceKey)) this.removeKey(replaceKey);
    } else if (replaceKey && this.map.has(replaceKey)) {
      const i = this.order.indexOf(replaceKey);
      this.map.delete(replaceKey);
      this.moveUid(replaceKey, k);
      this.map.set(k, m);
      this.order[i] = k;
    } else {
      this.map.set(k, m);
      this.order.push(k);
    }
    if (m.agent) this.roles.set(m.agent.name, m.agent.role);
    this.publish();
  }

  private removeKey(k: string): void {
    this.map.delete(k);
    this.uids.delete(k);
    this.order = this.order.filter((x) => x !== k);
  }

  private rekey(from: string, to: string): void {
    const m = this.map.get(from);
    if (!m) return;
    const i = this.order.indexOf(from);
    this.map.delete(from);
    this.moveUid(from, to);
    this.map.set(to, m);
    if (i >= 0) this.order[i] = to;
  }

  /** The "typing" placeholder of an agent that has started its turn but has no message id yet. */
  private typingKey(agent: string): string {
    return `a:${agent}`;
  }

  private placeholder(agent: string, id: number, content = ""): Message {
    const t = nowIso();
    return {
      id,
      session: -1,
      role: "agent",
      agent: syntheticAgent(agent, this.roles.get(agent)),
      content,
      tool_name: "",
      tool_input: null,
      tool_output: null,
      tokens_prompt: null,
      tokens_completion: null,
      latency_ms: null,
      metadata: { streaming: true },
      created_at: t,
      updated_at: t,
    };
  }

  private onMessage(m: Message): void {
    if (m.role === "agent") {
      const name = m.agent?.name ?? "";
      const tk = this.typingKey(name);
      const existed = this.map.get(key(m.id));
      this.upsert(m, this.map.has(tk) ? tk : undefined);
      if (!isStreaming(m) && (!existed || isStreaming(existed) || existed.id < 0)) {
        this.cb.onAnnounce?.(`${displayName(name)} replied.`);
      }
      return;
    }
    if (m.role === "tool") {
      // Take the place of the matching pending card (by message id, else by tool name).
      let replace: string | undefined;
      for (const [tc, k] of this.toolKeys) {
        const card = this.map.get(k);
        if (k === key(m.id) || (card && card.id < 0 && card.tool_name === m.tool_name)) {
          replace = k;
          this.toolKeys.delete(tc);
          break;
        }
      }
      this.upsert(m, replace);
      return;
    }
    this.upsert(m);
  }

  private onAgentStarted(p: EventPayloads["agent_started"]): void {
    this.ensureRunning(p.run_id);
    if (p.role) this.roles.set(p.agent, p.role);
    const tk = this.typingKey(p.agent);
    if (!this.map.has(tk)) {
      this.map.set(tk, this.placeholder(p.agent, syntheticId--));
      this.order.push(tk);
      this.publish();
    }
    this.setState({ activity: { phase: "thinking", agent: p.agent, role: p.role ?? this.roles.get(p.agent) } });
  }

  private onToken(p: EventPayloads["agent_token"]): void {
    this.ensureRunning(p.run_id);
    const k = typeof p.message_id === "number" ? key(p.message_id) : this.typingKey(p.agent);
    let m = this.map.get(k);
    if (!m && k !== this.typingKey(p.agent) && this.map.has(this.typingKey(p.agent))) {
      this.rekey(this.typingKey(p.agent), k);
      m = this.map.get(k);
      if (m && typeof p.message_id === "number") {
        m = { ...m, id: p.message_id };
        this.map.set(k, m);
      }
    }
    if (m && !isStreaming(m)) return; // already final: a late or replayed delta
    if (!m) {
      m = this.placeholder(p.agent, typeof p.message_id === "number" ? p.message_id : syntheticId--);
      this.map.set(k, m);
      this.order.push(k);
    }
    let content: string;
    if (typeof p.offset === "number" && p.offset >= 0) {
      if (p.offset + p.delta.length <= m.content.length) content = m.content; // already have it
      else content = m.content.slice(0, Math.min(p.offset, m.content.length)) + p.delta;
    } else content = m.content + p.delta;
    this.map.set(k, { ...m, content, updated_at: nowIso() });
    this.publish();
    const a = this.getSnapshot().activity;
    if (!a || a.phase !== "writing" || a.agent !== p.agent) {
      this.setState({ activity: { phase: "writing", agent: p.agent, role: this.roles.get(p.agent) } });
    }
  }

  private onToolCall(p: EventPayloads["tool_call"]): void {
    this.ensureRunning(p.run_id);
    if (!this.toolKeys.has(p.tool_call_id)) {
      const k = `t:${p.tool_call_id}`;
      const t = nowIso();
      const card: Message = {
        id: syntheticId--,
        session: -1,
        role: "tool",
        agent: syntheticAgent(p.agent, this.roles.get(p.agent)),
        content: "",
        tool_name: p.tool_name,
        tool_input: p.input,
        tool_output: null,
        tokens_prompt: null,
        tokens_completion: null,
        latency_ms: null,
        metadata: { pending: true, tool_call_id: p.tool_call_id },
        created_at: t,
        updated_at: t,
      };
      this.map.set(k, card);
      this.order.push(k);
      this.toolKeys.set(p.tool_call_id, k);
      // The agent's message is stored at its first token: if it has none yet, the card comes
      // first (as in the history), and the "thinking" bubble moves below it.
      const tk = this.typingKey(p.agent);
      const typing = this.map.get(tk);
      if (typing && !typing.content) {
        this.order = this.order.filter((x) => x !== tk);
        this.order.push(tk);
      }
      this.publish();
    }
    this.setState({ activity: { phase: "tool", agent: p.agent, tool: p.tool_name, role: this.roles.get(p.agent) } });
  }

  private onToolResult(p: EventPayloads["tool_result"]): void {
    const k = this.toolKeys.get(p.tool_call_id);
    const card = k ? this.map.get(k) : undefined;
    if (k && card && card.id < 0) {
      const updated: Message = {
        ...card,
        tool_output: p.output as Json,
        metadata: { ...(card.metadata ?? {}), pending: false, is_error: !!p.is_error },
        updated_at: nowIso(),
      };
      if (typeof p.message_id === "number") {
        const real = key(p.message_id);
        if (this.map.has(real)) {
          // The stored tool message arrived first: drop the card.
          this.removeKey(k);
          this.toolKeys.delete(p.tool_call_id);
        } else {
          this.map.set(k, updated);
          this.rekey(k, real);
          this.toolKeys.set(p.tool_call_id, real);
        }
      } else this.map.set(k, updated);
      this.publish();
    }
    this.setState({ activity: { phase: "thinking", agent: p.agent, role: this.roles.get(p.agent) } });
  }

  private onAgentTurn(p: EventPayloads["agent_turn"]): void {
    if (p.role) this.roles.set(p.agent, p.role);
    const k = key(p.message_id);
    const m = this.map.get(k);
    if (m && !isStreaming(m)) {
      // Final message already here.
    } else if (m) {
      this.map.set(k, { ...m, content: p.content, metadata: { ...(m.metadata ?? {}), streaming: false } });
      this.publish();
    } else {
      const tk = this.typingKey(p.agent);
      const base = this.placeholder(p.agent, p.message_id, p.content);
      const done = { ...base, metadata: { streaming: false } };
      if (this.map.has(tk)) {
        this.rekey(tk, k);
        this.map.set(k, done);
      } else {
        this.map.set(k, done);
        this.order.push(k);
      }
      this.publish();
    }
    if (this.map.has(this.typingKey(p.agent))) {
      this.removeKey(this.typingKey(p.agent));
      this.publish();
    }
    this.setState({ activity: { phase: "handoff", agent: p.agent } });
  }

  private onRunEnd(runId: RunId, how: "completed" | "error" | "cancelled", error?: string): void {
    this.endedRuns.add(String(runId));
    this.finalizePlaceholders(how);
    // "Still working" no longer holds: the kept draft can be sent now.
    this.setState((s) => ({ run: null, activity: null, stopping: false, sendError: s.sendError?.kind === "conflict" ? null : s.sendError }));
    if (how === "error") {
      this.notify(`The agents hit an error: ${error || "unknown error"}.`);
      this.cb.onAnnounce?.("The run failed.");
    } else if (how === "cancelled") {
      this.cb.onAnnounce?.("Stopped.");
    } else {
      this.cb.onAnnounce?.("The agents are done.");
    }
    this.cb.onRunEnded?.();
  }

  /** After a run: drop empty typing placeholders, mark unfinished streams. */
  private finalizePlaceholders(how: "completed" | "error" | "cancelled" | null): void {
    let changed = false;
    for (const k of [...this.order]) {
      const m = this.map.get(k);
      if (!m) continue;
      if (k.startsWith("a:") && !m.content) {
        this.removeKey(k);
        changed = true;
      } else if (m.id < 0 || isStreaming(m)) {
        if (!isStreaming(m) && !(m.metadata && m.metadata.pending)) continue;
        const meta = { ...(m.metadata ?? {}), streaming: false, pending: false } as Record<string, unknown>;
        if (how === "cancelled") meta.cancelled = true;
        else if (how === "error") meta.error = meta.error ?? "The run failed.";
        else if (how === null) meta.interrupted = true;
        this.map.set(k, { ...m, metadata: meta });
        changed = true;
      }
    }
    if (changed) this.publish();
  }

  // ---------------------------------------------------------------------------------------
  // 5. Commands
  // ---------------------------------------------------------------------------------------

  /** Sends a message. Resolves true when the server accepted it (the composer may clear). */
  async send(text: string): Promise<boolean> {
    const content = text.trim();
    if (!content) return false;
    const s = this.getSnapshot();
    if (s.sending || s.run) {
      this.setState({
        sendError: { kind: "conflict", content: text, message: "The agents are still working on the last message. Wait for them to finish, or press Stop." },
      });
      return false;
    }
    const isFirst = !s.items.some((m) => m.role === "user");
    this.setState({ sending: true, sendError: null });
    try {
      const res = await this.api.send(this.sessionId, content);
      if (this.disposed) return true;
      if (res?.message) this.upsert(res.message);
      if (res && !this.endedRuns.has(String(res.run_id)) && !this.getSnapshot().run) {
        this.setState({ run: { id: res.run_id }, activity: { phase: "starting" } });
      }
      this.setState({ sending: false });
      if (isFirst && isPlaceholderTitle(this.getSnapshot().title)) void this.nameAfter(content);
      return true;
    } catch (e) {
      if (this.disposed) return false;
      this.setState({ sending: false, sendError: this.sendErrorOf(e, text) });
      if (isApiError(e) && e.status === 409) this.ensureRunning(e.runId);
      if (isApiError(e) && e.status === 404) this.setState({ phase: "deleted" });
      return false;
    }
  }

  private sendErrorOf(e: unknown, content: string): SendError {
    if (isApiError(e)) {
      if (e.status === 409)
        return { kind: "conflict", content, message: "The agents are still working on the last message. Wait for them to finish, or press Stop — your draft is kept." };
      if (e.unreachable) return { kind: "network", content, message: "Couldn't send: can't reach the Tandem server. Your message is still in the box." };
      if (e.status === 400) return { kind: "invalid", content, message: `The server refused this message: ${e.detail}` };
      if (e.status === 404) return { kind: "invalid", content, message: "This chat no longer exists." };
      return { kind: "server", content, message: `Couldn't send: ${e.detail}` };
    }
    return { kind: "server", content, message: `Couldn't send: ${describeError(e)}` };
  }

  /** Names the session after its first message (only if it still has the placeholder title). */
  private async nameAfter(content: string): Promise<void> {
    const title = titleFromMessage(content);
    if (!title) return;
    try {
      const session = await this.api.renameSession(this.sessionId, title);
      if (this.disposed) return;
      this.setState({ title: session?.title ?? title });
      if (session) this.cb.onSessionUpdated?.(session);
    } catch {
      // Not worth bothering the reader: the chat keeps its placeholder title.
    }
  }

  async cancel(): Promise<void> {
    const s = this.getSnapshot();
    if (!s.run || s.stopping) return;
    this.setState({ stopping: true, activity: { ...(s.activity ?? { phase: "thinking" }), phase: "stopping" } });
    try {
      await this.api.cancel(this.sessionId);
      // The `run_cancelled` event ends the run; if the socket is down, end it here.
      if (this.getSnapshot().socket.status !== "open") {
        const id = this.getSnapshot().run?.id;
        if (id != null) this.onRunEnd(id, "cancelled");
        else this.setState({ run: null, activity: null, stopping: false });
      }
    } catch (e) {
      if (this.disposed) return;
      if (isApiError(e) && e.status === 409) {
        // Nothing runs any more (it just finished).
        this.setState({ run: null, activity: null, stopping: false });
        this.finalizePlaceholders("completed");
        return;
      }
      this.setState({ stopping: false, activity: s.activity });
      this.notify(`Couldn't stop the agents: ${describeError(e)} Try again.`);
    }
  }

  private maybeSendFirst(force = false): void {
    if (!this.pendingFirst || !this.loadedOnce || this.buffering) return;
    if (!this.connectedOnce && !force) {
      // Give the socket a moment so the reader sees the tokens; send anyway if it won't come.
      if (!this.firstTimer) {
        this.firstTimer = setTimeout(() => {
          this.firstTimer = null;
          this.maybeSendFirst(true);
        }, 2500);
      }
      return;
    }
    if (this.firstTimer) clearTimeout(this.firstTimer);
    this.firstTimer = null;
    const text = this.pendingFirst;
    this.pendingFirst = null;
    void this.send(text);
  }
}

export { ApiError };

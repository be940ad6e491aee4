/**
 * The live state of one conversation, for the chat UI (read through `useSyncExternalStore`).
 *
 * A thin store: it runs the I/O (the WebSocket, REST calls, retry timers), passes the socket's
 * frames through the sequencer (order, duplicates, gaps, buffering: sequencer.ts), and folds every
 * event into the view with the pure reducer (reducer.ts). The commands are the UI's verbs.
 *
 * The first snapshot is taken once the socket is connected, so it covers everything the socket
 * does not deliver; if the socket is slow or failing, it is taken anyway, and again after connect.
 */

import type { ChatEvent, Message, QueuedRun, Rating, Session, SessionState, Turn } from "@/lib/contract/types";
import { type ApiClient, api as defaultApi, describeError, isApiError } from "./api";
import { backoffDelay } from "./backoff";
import { isPlaceholderTitle, titleFromMessage } from "./format";
import { type ConversationEvent, type ConversationView, initialView, reduce, type SendError } from "./reducer";
import { initialSequencer, type SequencerInput, type SequencerState, sequence } from "./sequencer";
import { ChatSocket } from "./socket";
import { Store } from "./store";

export type { LoadPhase, Notice, SendError } from "./reducer";
export type ConversationSnapshot = ConversationView;

export interface ConversationCallbacks {
  onSessionUpdated?: (session: Session) => void;
  onSessionDeleted?: (sessionId: string) => void;
  /** A run ended (completed, failed or cancelled). */
  onRunEnded?: () => void;
  /** A message joined the conversation at `at` (its `created_at`): the sidebar moves the chat up. */
  onMessageStored?: (at: string) => void;
  /** Short text for the polite live region. */
  onAnnounce?: (text: string) => void;
}

export interface ConversationOptions extends ConversationCallbacks {
  api?: Pick<
    ApiClient,
    | "history"
    | "state"
    | "send"
    | "cancel"
    | "renameSession"
    | "rateMessage"
    | "turns"
    | "queue"
    | "editQueued"
    | "removeQueued"
    | "rerun"
    | "edit"
    | "select"
  >;
  /** Where the reader's fold choice is remembered (default: localStorage; tests pass a map). */
  prefs?: Pick<Storage, "getItem" | "setItem">;
  /** Create the socket (tests inject a fake). */
  createSocket?: (
    opts: ConstructorParameters<typeof ChatSocket>[0],
  ) => Pick<ChatSocket, "start" | "stop" | "reconnectNow">;
  /** How long the first snapshot waits for the socket to connect (ms). */
  connectGraceMs?: number;
}

/** The localStorage key of the reader's choice: turns' work strips open or closed. */
export const FOLD_PREF_KEY = "tandem:work-strip";

/** Events after which the turns' statuses and versions are read again. */
const RUN_EDGES = new Set(["run_started", "run_completed", "run_error", "run_cancelled"]);

const STILL_SENDING = "Your last message is still being sent. Try again in a moment — your draft is kept.";

export class ConversationStore extends Store<ConversationView> {
  readonly sessionId: string;
  private readonly api: NonNullable<ConversationOptions["api"]>;
  private readonly cb: ConversationCallbacks;
  private readonly socket: Pick<ChatSocket, "start" | "stop" | "reconnectNow">;
  private readonly connectGraceMs: number;
  private readonly prefs: ConversationOptions["prefs"];
  private seq: SequencerState = initialSequencer;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Snapshots in a row that failed or left a hole in a text (for the backoff). */
  private retries = 0;
  private disposed = false;
  /**
   * Reads of the turns are numbered, and an answer older than the one shown is dropped: a run that
   * fails at once has its `run_started` and `run_error` reads in flight together, and the first
   * answer (the turn still running) arriving last hid the failure until a reload.
   */
  private turnsAsked = 0;
  private turnsShown = 0;
  /** The message to send once the conversation is ready (a new chat's first message). */
  private pendingFirst: string | null = null;

  constructor(sessionId: string, opts: ConversationOptions = {}) {
    super(initialView(sessionId));
    this.sessionId = sessionId;
    this.api = opts.api ?? defaultApi;
    this.cb = opts;
    this.connectGraceMs = opts.connectGraceMs ?? 1000;
    this.prefs = opts.prefs ?? browserStorage();
    const create = opts.createSocket ?? ((o) => new ChatSocket(o));
    this.socket = create({
      sessionId,
      getSince: () => this.seq.lastSeq,
      onStatus: (info) => {
        this.dispatch({ event: "socket", info });
        // A failing socket must not hold the history back.
        if (info.status === "reconnecting" || info.status === "offline") this.loadFirst();
      },
      onFrame: (f) => this.onFrame(f),
    });
  }

  // --- Commands ----------------------------------------------------------------------------

  /** Loads the history and connects. `firstMessage` is sent once both are ready. */
  start(firstMessage?: string): void {
    this.pendingFirst = firstMessage?.trim() ? firstMessage : null;
    const pref = this.readPref();
    if (pref) this.dispatch({ event: "fold_pref_loaded", pref });
    this.socket.start();
    this.schedule(this.connectGraceMs, () => this.loadFirst());
  }

  dispose(): void {
    this.disposed = true;
    this.socket.stop();
    this.schedule(null);
  }

  /** Reconnect the socket and refetch at once (the "Retry now" button). */
  retryNow(): void {
    this.socket.reconnectNow();
    if (this.getSnapshot().loadError) {
      this.schedule(null);
      this.step({ type: "refresh" });
    }
  }

  dismissNotice(id: number): void {
    this.dispatch({ event: "notice_dismissed", id });
  }

  clearSendError(): void {
    this.dispatch({ event: "send_error_cleared" });
  }

  /**
   * Sends a message; while the agents work, the server queues it (or with `steer`, it joins the
   * running run as guidance). Resolves true when the server accepted it (the composer may clear).
   */
  async send(text: string, opts: { steer?: boolean } = {}): Promise<boolean> {
    const content = text.trim();
    if (!content) return false;
    const v = this.getSnapshot();
    if (v.sending) {
      this.dispatch({ event: "send_failed", error: { kind: "conflict", content: text, message: STILL_SENDING } });
      return false;
    }
    const isFirst = !v.items.some((m) => m.role === "user");
    this.dispatch({ event: "send_started" });
    try {
      const res = await this.api.send(this.sessionId, content, { steer: opts.steer && !!v.run });
      if (this.disposed) return true;
      this.dispatch({ event: "send_accepted", run_id: res.run_id, message: res.message, status: res.status });
      if (isFirst && isPlaceholderTitle(this.getSnapshot().title)) void this.nameAfter(content);
      return true;
    } catch (e) {
      if (this.disposed) return false;
      const status = isApiError(e) ? e.status : 0;
      const runId = isApiError(e) && status === 409 ? e.runId : undefined;
      this.dispatch({ event: "send_failed", error: sendErrorOf(e, text), run_id: runId, gone: status === 404 });
      return false;
    }
  }

  async cancel(): Promise<void> {
    const run = this.getSnapshot().run;
    if (!run || this.getSnapshot().stopping) return;
    this.dispatch({ event: "cancel_requested" });
    try {
      await this.api.cancel(this.sessionId);
      if (!this.disposed) this.dispatch({ event: "cancel_confirmed", run_id: run.id });
    } catch (e) {
      if (this.disposed) return;
      if (isApiError(e) && e.status === 409) this.dispatch({ event: "cancel_refused", run_id: run.id });
      else
        this.dispatch({ event: "cancel_failed", message: `Couldn't stop the agents: ${describeError(e)} Try again.` });
    }
  }

  /** Another version of a turn: its answer again, a failed run again, or a cut-off one continued. */
  async rerun(action: "regenerate" | "retry" | "continue", runId: number): Promise<void> {
    try {
      await this.api.rerun(this.sessionId, action, runId);
      this.refresh();
    } catch (e) {
      this.notify(`Couldn't ${action === "continue" ? "continue" : action} the turn: ${describeError(e)}`);
    }
  }

  /** Sends an edited message as a new version of it (a new run from there). True when accepted. */
  async edit(messageId: number, content: string): Promise<boolean> {
    if (!content.trim()) return false;
    try {
      await this.api.edit(this.sessionId, messageId, content.trim());
      this.cancelEdit();
      this.refresh();
      return true;
    } catch (e) {
      this.notify(`Couldn't send your edit: ${describeError(e)} Your text is still in the box.`);
      return false;
    }
  }

  /** Shows another version of a turn (‹ 1/2 ›): the server switches the path, the view reloads. */
  async select(runId: number): Promise<void> {
    try {
      await this.api.select(this.sessionId, runId);
      this.refresh();
    } catch (e) {
      this.notify(`Couldn't switch versions: ${describeError(e)}`);
    }
  }

  async editQueued(runId: number, content: string): Promise<boolean> {
    try {
      await this.api.editQueued(this.sessionId, runId, content);
      return true;
    } catch (e) {
      this.notify(`Couldn't change the queued message: ${describeError(e)}`);
      return false;
    }
  }

  async removeQueued(runId: number): Promise<void> {
    try {
      await this.api.removeQueued(this.sessionId, runId);
    } catch (e) {
      this.notify(`Couldn't remove the queued message: ${describeError(e)}`);
    }
  }

  /** Thumbs up or down on an agent's turn (the same again takes it back). Shown at once. */
  async rate(messageId: number, rating: Rating | null): Promise<void> {
    const before = this.getSnapshot().items.find((m) => m.id === messageId);
    if (!before) return;
    this.dispatch({ event: "rating_requested", message_id: messageId, rating });
    try {
      const message = await this.api.rateMessage(messageId, rating);
      this.dispatch({ event: "rating_saved", message });
    } catch (e) {
      this.dispatch({
        event: "rating_failed",
        message_id: messageId,
        rating: before.rating ?? null,
        message: `Couldn't save your rating: ${describeError(e)}`,
      });
    }
  }

  /** Opens or folds a turn's work; the choice is remembered for the turns to come. */
  toggleWork(turn: string, open: boolean): void {
    this.dispatch({ event: "fold_toggled", turn, open });
    try {
      this.prefs?.setItem(FOLD_PREF_KEY, open ? "open" : "closed");
    } catch {
      /* private mode: remembered for this view only */
    }
  }

  startEdit(messageId: number): void {
    this.dispatch({ event: "edit_started", message_id: messageId });
  }

  /** Edits the last user message of the conversation (↑ in an empty composer). */
  editLast(): boolean {
    const last = this.getSnapshot().items.findLast((m) => m.role === "user" && m.id > 0 && m.metadata?.steer !== true);
    if (!last) return false;
    this.startEdit(last.id);
    return true;
  }

  cancelEdit(): void {
    this.dispatch({ event: "edit_cancelled" });
  }

  private notify(message: string): void {
    this.dispatch({ event: "notice", message });
  }

  /** Reloads history, turns and queue (the path changed). */
  private refresh(): void {
    if (!this.disposed) this.step({ type: "refresh" });
  }

  /** The turns' statuses and versions, after a run started or ended. */
  private async reloadTurns(): Promise<void> {
    try {
      const turns = await this.readTurns();
      if (turns && !this.disposed) this.dispatch({ event: "turns_loaded", turns });
    } catch {
      // The next snapshot brings them.
    }
  }

  /** The turns, or undefined when a read asked for later has been shown already. */
  private async readTurns(): Promise<Turn[] | undefined> {
    const asked = ++this.turnsAsked;
    const turns = await this.api.turns(this.sessionId);
    if (asked < this.turnsShown) return undefined;
    this.turnsShown = asked;
    return turns;
  }

  private readPref(): "open" | "closed" | null {
    try {
      const v = this.prefs?.getItem(FOLD_PREF_KEY);
      return v === "open" || v === "closed" ? v : null;
    } catch {
      return null;
    }
  }

  // --- Events in -----------------------------------------------------------------------------

  private onFrame(f: Record<string, unknown>): void {
    if (this.disposed) return;
    if (f.event === "connected" && typeof f.seq === "number") {
      this.step({ type: "connected", seq: f.seq });
    } else if (f.event === "resync") {
      const seq = (f.payload as { seq?: unknown } | undefined)?.seq;
      this.step({ type: "resync", seq: typeof seq === "number" ? seq : undefined });
    } else if (typeof f.event === "string" && typeof f.seq === "number") {
      // Broadcasts carry a seq; `echo` and `error` answer frames this client never sends.
      this.step({ type: "frame", frame: f as unknown as ChatEvent });
    }
  }

  private step(input: SequencerInput): void {
    const d = sequence(this.seq, input);
    this.seq = d.state;
    let reload = false;
    for (const f of d.apply) {
      this.dispatch(f);
      this.tellShell(f);
      // Another version of a turn, or another path: what the view shows must come from the server.
      if (f.event === "path_changed" || (f.event === "run_started" && f.payload.kind && f.payload.kind !== "send"))
        reload = true;
      else if (RUN_EDGES.has(f.event)) void this.reloadTurns();
    }
    if (d.fetch) void this.load();
    else if (reload) this.refresh();
  }

  /** What the rest of the page learns from a broadcast (the sessions list, a deleted chat). */
  private tellShell(f: ChatEvent): void {
    if (f.event === "message_created" && f.payload.message) this.cb.onMessageStored?.(f.payload.message.created_at);
    if (f.event === "session_updated" && f.payload.session.session_id === this.sessionId)
      this.cb.onSessionUpdated?.(f.payload.session);
    if (f.event === "session_deleted" && f.payload.session_id === this.sessionId) {
      this.socket.stop();
      this.cb.onSessionDeleted?.(this.sessionId);
    }
  }

  private dispatch(e: ConversationEvent): void {
    if (this.disposed) return;
    const before = this.getSnapshot();
    const after = reduce(before, e);
    this.setState(after);
    if (after.announcement !== before.announcement && after.announcement) this.cb.onAnnounce?.(after.announcement.text);
    if (after.endedRuns !== before.endedRuns) this.cb.onRunEnded?.();
    // A hole in a streaming text: the server's saved copy catches up within a moment.
    if (after.missingText && !before.missingText)
      this.schedule(backoffDelay(this.retries++), () => this.step({ type: "refresh" }));
  }

  // --- Snapshots -----------------------------------------------------------------------------

  /** The first snapshot, unless one is already under way or done. */
  private loadFirst(): void {
    if (this.getSnapshot().phase === "loading" && this.seq.loading === null && !this.getSnapshot().loadError)
      this.step({ type: "refresh" });
  }

  private async load(): Promise<void> {
    let history: Message[];
    let state: SessionState;
    let turns: Turn[] | undefined;
    let queue: QueuedRun[] | undefined;
    try {
      [history, state, turns, queue] = await Promise.all([
        this.api.history(this.sessionId),
        this.api.state(this.sessionId),
        // Optional extras: a server without them still shows the conversation.
        this.readTurns().catch(() => undefined),
        this.api.queue(this.sessionId).catch(() => undefined),
      ]);
    } catch (e) {
      if (this.disposed) return;
      this.seq = sequence(this.seq, { type: "snapshot_failed" }).state;
      if (isApiError(e) && e.kind === "http" && e.status === 404) {
        this.socket.stop();
        this.dispatch({ event: "session_missing" });
        return;
      }
      this.dispatch({ event: "snapshot_failed", error: describeError(e) });
      this.schedule(backoffDelay(this.retries++), () => this.step({ type: "refresh" }));
      return;
    }
    if (this.disposed) return;
    const d = sequence(this.seq, { type: "snapshot_loaded" });
    this.seq = d.state;
    this.dispatch({ event: "snapshot_loaded", history, state, buffered: d.apply, turns, queue });
    if (!this.getSnapshot().missingText) this.retries = 0;
    for (const f of d.apply) this.tellShell(f);
    // A run that started or ended while the snapshot loaded may be newer than its turns.
    if (d.apply.some((f) => RUN_EDGES.has(f.event))) void this.reloadTurns();
    if (d.fetch) void this.load();
    this.maybeSendFirst();
  }

  // --- Helpers -------------------------------------------------------------------------------

  /** One timer at a time: the first snapshot's grace, a load retry, or a refresh for missing text. */
  private schedule(ms: number | null, run?: () => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (ms === null || !run || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      run();
    }, ms);
  }

  private maybeSendFirst(): void {
    if (!this.pendingFirst || this.getSnapshot().phase !== "ready" || this.seq.waiting) return;
    const text = this.pendingFirst;
    this.pendingFirst = null;
    void this.send(text);
  }

  /** Names the session after its first message (only if it still has the placeholder title). */
  private async nameAfter(content: string): Promise<void> {
    const title = titleFromMessage(content);
    if (!title) return;
    try {
      const session = await this.api.renameSession(this.sessionId, title);
      if (this.disposed) return;
      this.dispatch({ event: "title_changed", title: session?.title ?? title });
      if (session) this.cb.onSessionUpdated?.(session);
    } catch {
      // Not worth bothering the reader: the chat keeps its placeholder title.
    }
  }
}

function browserStorage(): ConversationOptions["prefs"] {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

function sendErrorOf(e: unknown, content: string): SendError {
  if (isApiError(e)) {
    if (e.status === 409)
      return {
        kind: "conflict",
        content,
        message:
          "The agents are still working on the last message. Wait for them to finish, or press Stop — your draft is kept.",
      };
    if (e.unreachable)
      return {
        kind: "network",
        content,
        message: "Couldn't send: can't reach the Tandem server. Your message is still in the box.",
      };
    if (e.status === 400) return { kind: "invalid", content, message: `The server refused this message: ${e.detail}` };
    if (e.status === 404) return { kind: "invalid", content, message: "This chat no longer exists." };
    return { kind: "server", content, message: `Couldn't send: ${e.detail}` };
  }
  return { kind: "server", content, message: `Couldn't send: ${describeError(e)}` };
}

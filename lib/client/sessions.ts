/**
 * The sessions list in the sidebar's order (pinned first, then latest message first), loaded a
 * page at a time as the list scrolls (`loadMore`). Rows change one at a time: from the UI's own
 * calls and the open chat's events (`upsert`, `touch`); a refresh (focus, coming back online, and
 * with backoff while the server is unreachable) refetches only the first page and merges it in.
 */

import type { Session, SessionSummary } from "@/lib/contract/types";
import { type ApiClient, api as defaultApi, describeError, isApiError } from "./api";
import { backoffDelay } from "./backoff";
import { DEFAULT_TITLE } from "./format";
import { Store } from "./store";

/** A chat as the sidebar lists it (a full Session from an event becomes one too). */
export type SidebarSession = Omit<SessionSummary, "message_count">;

/** Sessions per page of the sidebar. */
export const SESSIONS_PAGE_SIZE = 50;
/**
 * Pages a filter loads while it looks beyond what is loaded: a name far down a list of 2,000
 * chats is found in four requests (slim summaries, about 100 KB each), not forty.
 */
export const SESSIONS_FILTER_PAGE_SIZE = 500;

export type SessionsStatus = "loading" | "ready" | "unreachable" | "error";

export interface SessionsSnapshot {
  status: SessionsStatus;
  sessions: SidebarSession[];
  /** Whether the server has more sessions than are loaded (the list offers to load more). */
  hasMore: boolean;
  loadingMore: boolean;
  /** Whether `sessions` ever came from the server (an unreachable server is not "no sessions"). */
  loaded: boolean;
  error: string | null;
  /** When the next automatic retry happens, while unreachable. */
  nextRetryAt: number | null;
  refreshing: boolean;
}

const time = (iso: string) => {
  const v = Date.parse(iso);
  return Number.isNaN(v) ? 0 : v;
};

/**
 * The server's order: pinned first, in the order given (the latest pinned is put first when it is
 * pinned), then latest message first; ties keep the order given (the sort is stable).
 */
export function sortSessions(list: SidebarSession[]): SidebarSession[] {
  const pinned = list.filter((s) => s.pinned);
  const rest = list.filter((s) => !s.pinned).sort((a, b) => time(b.last_message_at) - time(a.last_message_at));
  return [...pinned, ...rest];
}

const summaryOf = (s: Session | SidebarSession): SidebarSession => ({
  session_id: s.session_id,
  title: s.title,
  pinned: s.pinned,
  last_message_at: s.last_message_at,
  created_at: s.created_at,
  updated_at: s.updated_at,
});

/**
 * The loaded list with a fresh first page merged in: the page's rows replace theirs; a row the page
 * should have held (it sorts before the page's end, or the page is the whole list) but does not is
 * gone (deleted, say, in another tab); rows further down stay as loaded.
 */
export function mergeFirstPage(loaded: SidebarSession[], page: SidebarSession[], complete: boolean): SidebarSession[] {
  const fresh = new Set(page.map((s) => s.session_id));
  if (complete) return sortSessions(page);
  const end = page.at(-1);
  if (!end) return sortSessions(loaded);
  const below = (s: SidebarSession) =>
    s.pinned ? end.pinned : end.pinned || time(s.last_message_at) <= time(end.last_message_at);
  const kept = loaded.filter((s) => !fresh.has(s.session_id) && below(s));
  return sortSessions([...page, ...kept]);
}

export class SessionsStore extends Store<SessionsSnapshot> {
  private readonly api: ApiClient;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private started = false;
  /** Bumped by local changes so an older response does not undo a newer local change. */
  private version = 0;
  /** How many sessions the server has (the list's length once all are loaded). */
  private total = 0;

  constructor(opts: { api?: ApiClient } = {}) {
    super({
      status: "loading",
      sessions: [],
      hasMore: false,
      loadingMore: false,
      loaded: false,
      error: null,
      nextRetryAt: null,
      refreshing: false,
    });
    this.api = opts.api ?? defaultApi;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    window.addEventListener("focus", this.onFocus);
    window.addEventListener("online", this.onFocus);
    void this.refresh();
  }

  stop(): void {
    this.started = false;
    window.removeEventListener("focus", this.onFocus);
    window.removeEventListener("online", this.onFocus);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private readonly onFocus = () => {
    void this.refresh();
  };

  /** Refetches the first page; concurrent calls coalesce into one extra fetch. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.load().finally(() => {
      this.inFlight = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const v = this.version;
    this.setState({ refreshing: true });
    try {
      const page = await this.api.listSessionSummaries({ offset: 0, limit: SESSIONS_PAGE_SIZE });
      this.attempt = 0;
      if (v !== this.version) {
        // A local change happened meanwhile: fetch again to include it.
        this.again = true;
        this.setState({ refreshing: false });
        return;
      }
      const total = Number.isNaN(page.total) ? page.items.length : page.total;
      const snap = this.getSnapshot();
      const sessions = snap.loaded
        ? mergeFirstPage(snap.sessions, page.items.map(summaryOf), !page.next)
        : page.items.map(summaryOf);
      this.total = total;
      this.setState({
        status: "ready",
        sessions,
        hasMore: sessions.length < total,
        loaded: true,
        error: null,
        nextRetryAt: null,
        refreshing: false,
      });
    } catch (e) {
      const unreachable = isApiError(e) && e.unreachable;
      const delay = backoffDelay(this.attempt++, { capMs: 10_000 });
      this.setState({
        status: unreachable ? "unreachable" : "error",
        error: describeError(e),
        nextRetryAt: Date.now() + delay,
        refreshing: false,
      });
      if (this.started) this.retryTimer = setTimeout(() => void this.refresh(), delay);
    }
  }

  /**
   * Loads the next page (the list calls it when its end scrolls into view, with a larger `limit`
   * while a filter looks for chats not loaded yet); ignored while loading or refreshing.
   */
  async loadMore(limit = SESSIONS_PAGE_SIZE): Promise<void> {
    const snap = this.getSnapshot();
    if (!snap.hasMore || snap.loadingMore || this.inFlight) return;
    this.setState({ loadingMore: true });
    try {
      // The server's order shifts as chats change; the list's own length is where its next page starts.
      const page = await this.api.listSessionSummaries({ offset: snap.sessions.length, limit });
      const loaded = this.getSnapshot().sessions;
      const known = new Set(loaded.map((x) => x.session_id));
      const sessions = sortSessions([...loaded, ...page.items.filter((x) => !known.has(x.session_id)).map(summaryOf)]);
      if (!Number.isNaN(page.total)) this.total = page.total;
      this.setState({
        sessions,
        hasMore: sessions.length < this.total && page.items.length > 0,
        loadingMore: false,
      });
    } catch (e) {
      this.setState({ loadingMore: false, error: describeError(e) });
    }
  }

  /** Inserts or replaces one session (from our own calls or a `session_updated` event). */
  upsert(session: Session | SidebarSession): void {
    this.version++;
    const row = summaryOf(session);
    const list = this.getSnapshot().sessions;
    const old = list.find((x) => x.session_id === row.session_id);
    if (!old) this.total++;
    // In place, unless it was just pinned (the latest pinned comes first) or is new.
    const sessions =
      old && old.pinned === row.pinned
        ? list.map((x) => (x === old ? row : x))
        : [row, ...list.filter((x) => x !== old)];
    this.setState({ sessions: sortSessions(sessions) });
  }

  /** A message joined the chat at `at` (an event of the open chat): it moves up to its place. */
  touch(sessionId: string, at: string): void {
    const s = this.getSnapshot().sessions.find((x) => x.session_id === sessionId);
    if (s && time(at) > time(s.last_message_at)) this.upsert({ ...s, last_message_at: at });
  }

  forget(sessionId: string): void {
    this.version++;
    const list = this.getSnapshot().sessions;
    const sessions = list.filter((x) => x.session_id !== sessionId);
    if (sessions.length < list.length) this.total--;
    this.setState({ sessions });
  }

  /** The team new chats start with (its name), as picked on the welcome screen; unset: the default team. */
  teamForNewChats: string | undefined;

  async create(title = DEFAULT_TITLE): Promise<Session> {
    const session = await this.api.createSession({ title, team: this.teamForNewChats });
    this.upsert(session);
    return session;
  }

  async rename(sessionId: string, title: string): Promise<Session> {
    const session = await this.api.renameSession(sessionId, title);
    this.upsert(session);
    return session;
  }

  /** Pins or unpins a chat: shown at once, put back if the server refuses. */
  async setPinned(sessionId: string, pinned: boolean): Promise<Session> {
    const before = this.getSnapshot().sessions.find((x) => x.session_id === sessionId);
    if (before) this.upsert({ ...before, pinned });
    try {
      const session = await this.api.pinSession(sessionId, pinned);
      this.upsert(session);
      return session;
    } catch (e) {
      if (before) this.upsert(before);
      throw e;
    }
  }

  async remove(sessionId: string): Promise<void> {
    try {
      await this.api.deleteSession(sessionId);
    } catch (e) {
      // Already gone is as good as deleted.
      if (!(isApiError(e) && e.status === 404)) throw e;
    }
    this.forget(sessionId);
  }
}

export { describeError };

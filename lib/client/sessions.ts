/**
 * The sessions list: latest active first (`updated_at`), loaded a page at a time as the list
 * scrolls (`loadMore`), refetched (as far as it was loaded) after the UI's own changes, when a run
 * ends, when the window regains focus, and (with backoff) while the server is unreachable.
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
/** The most a single request may ask for (the API's maximum `limit`). */
const MAX_LIMIT = 1000;

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

/** Latest active first; ties keep the server's order (the sort is stable). */
export function sortSessions(list: SidebarSession[]): SidebarSession[] {
  const t = (s: SidebarSession) => {
    const v = Date.parse(s.updated_at || s.created_at);
    return Number.isNaN(v) ? 0 : v;
  };
  return [...list].sort((a, b) => t(b) - t(a));
}

const summaryOf = (s: Session | SidebarSession): SidebarSession => ({
  session_id: s.session_id,
  title: s.title,
  created_at: s.created_at,
  updated_at: s.updated_at,
});

export class SessionsStore extends Store<SessionsSnapshot> {
  private readonly api: ApiClient;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private started = false;
  /** Bumped by local changes so an older response does not undo a newer local change. */
  private version = 0;
  /** How many sessions the list shows: a refresh refetches that many. */
  private wanted = SESSIONS_PAGE_SIZE;

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

  /** Refetches the list; concurrent calls coalesce into one extra fetch. */
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
      const { items: list, total } = await this.fetchRange(0, this.wanted);
      this.attempt = 0;
      if (v !== this.version) {
        // A local change happened meanwhile: fetch again to include it.
        this.again = true;
        this.setState({ refreshing: false });
        return;
      }
      this.setState({
        status: "ready",
        sessions: sortSessions(list),
        hasMore: list.length < total,
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

  /** Sessions `offset` … `offset + count - 1`, in as few requests as the API's maximum page allows. */
  private async fetchRange(offset: number, count: number): Promise<{ items: SidebarSession[]; total: number }> {
    const items: SidebarSession[] = [];
    for (;;) {
      const page = await this.api.listSessionSummaries({
        offset: offset + items.length,
        limit: Math.min(count - items.length, MAX_LIMIT),
      });
      items.push(...page.items);
      if (items.length >= count || !page.next || page.items.length === 0) {
        return { items, total: Number.isNaN(page.total) ? offset + items.length : page.total };
      }
    }
  }

  /** Loads the next page (the list calls it when its end scrolls into view); ignored while loading or refreshing. */
  async loadMore(): Promise<void> {
    const snap = this.getSnapshot();
    if (!snap.hasMore || snap.loadingMore || this.inFlight) return;
    const v = this.version;
    this.setState({ loadingMore: true });
    try {
      // The server's order shifts as chats change; the list's own length is where its next page starts.
      const { items, total } = await this.fetchRange(snap.sessions.length, SESSIONS_PAGE_SIZE);
      const loaded = this.getSnapshot().sessions;
      const known = new Set(loaded.map((x) => x.session_id));
      const sessions = sortSessions([...loaded, ...items.filter((x) => !known.has(x.session_id))]);
      this.wanted = Math.max(this.wanted, sessions.length);
      this.setState({ sessions, hasMore: sessions.length < total && items.length > 0, loadingMore: false });
      if (v !== this.version) void this.refresh();
    } catch (e) {
      this.setState({ loadingMore: false, error: describeError(e) });
    }
  }

  /** Inserts or replaces one session (from our own calls or a `session_updated` event). */
  upsert(session: Session | SidebarSession): void {
    this.version++;
    this.setState((s) => ({
      sessions: sortSessions([summaryOf(session), ...s.sessions.filter((x) => x.session_id !== session.session_id)]),
    }));
  }

  forget(sessionId: string): void {
    this.version++;
    this.setState((s) => ({ sessions: s.sessions.filter((x) => x.session_id !== sessionId) }));
  }

  /** The team new chats start with (its name), as picked on the welcome screen; unset: the default team. */
  teamForNewChats: string | undefined;

  async create(title = DEFAULT_TITLE): Promise<Session> {
    const session = await this.api.createSession({ title, team: this.teamForNewChats });
    this.upsert(session);
    void this.refresh();
    return session;
  }

  async rename(sessionId: string, title: string): Promise<Session> {
    const session = await this.api.renameSession(sessionId, title);
    this.upsert(session);
    void this.refresh();
    return session;
  }

  async remove(sessionId: string): Promise<void> {
    try {
      await this.api.deleteSession(sessionId);
    } catch (e) {
      // Already gone is as good as deleted.
      if (!(isApiError(e) && e.status === 404)) throw e;
    }
    this.forget(sessionId);
    void this.refresh();
  }
}

export { describeError };

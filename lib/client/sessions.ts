/**
 * The sessions list: newest first by `updated_at`, refetched after the UI's own changes, when a
 * run ends, when the window regains focus, and (with backoff) while the server is unreachable.
 */
import { ApiClient, api as defaultApi, describeError, isApiError } from "./api";
import { backoffDelay } from "./backoff";
import { DEFAULT_TITLE } from "./format";
import { Store } from "./store";
import type { Session } from "./types";

export type SessionsStatus = "loading" | "ready" | "unreachable" | "error";

export interface SessionsSnapshot {
  status: SessionsStatus;
  sessions: Session[];
  /** Whether `sessions` ever came from the server (an unreachable server is not "no sessions"). */
  loaded: boolean;
  error: string | null;
  /** When the next automatic retry happens, while unreachable. */
  nextRetryAt: number | null;
  refreshing: boolean;
}

export function sortSessions(list: Session[]): Session[] {
  const t = (s: Session) => {
    const v = Date.parse(s.updated_at || s.created_at);
    return Number.isNaN(v) ? 0 : v;
  };
  return [...list].sort((a, b) => t(b) - t(a) || b.id - a.id);
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

  constructor(opts: { api?: ApiClient } = {}) {
    super({ status: "loading", sessions: [], loaded: false, error: null, nextRetryAt: null, refreshing: false });
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
      const list = await this.api.listSessions();
      this.attempt = 0;
      if (v !== this.version) {
        // A local change happened meanwhile: fetch again to include it.
        this.again = true;
        this.setState({ refreshing: false });
        return;
      }
      this.setState({
        status: "ready",
        sessions: sortSessions(Array.isArray(list) ? list : []),
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

  /** Inserts or replaces one session (from our own calls or a `session_updated` event). */
  upsert(session: Session): void {
    this.version++;
    this.setState((s) => ({
      sessions: sortSessions([session, ...s.sessions.filter((x) => x.session_id !== session.session_id)]),
    }));
  }

  forget(sessionId: string): void {
    this.version++;
    this.setState((s) => ({ sessions: s.sessions.filter((x) => x.session_id !== sessionId) }));
  }

  async create(title = DEFAULT_TITLE): Promise<Session> {
    const session = await this.api.createSession({ title });
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

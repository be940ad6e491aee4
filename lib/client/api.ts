/**
 * Browser-side REST client for the public Tandem API (base `/api`).
 *
 * Every failure is an `ApiError` with a `kind` a UI can act on:
 * - `network`: the server could not be reached (down, restarting, offline);
 * - `timeout`: no answer in time;
 * - `http`: the server answered with a non-2xx status (`status`, `detail`, `body`).
 */
import type {
  Message,
  QueuedRun,
  Rating,
  SearchResult,
  SendAccepted,
  Session,
  SessionState,
  SessionSummary,
  Team,
  Turn,
} from "@/lib/contract/types";

export type ApiErrorKind = "network" | "timeout" | "http" | "aborted";

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly detail: string;
  readonly body: unknown;

  constructor(kind: ApiErrorKind, message: string, init: { status?: number; detail?: string; body?: unknown } = {}) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.status = init.status ?? 0;
    this.detail = init.detail ?? message;
    this.body = init.body;
  }

  /** True when the server could not be reached at all (as opposed to answering with an error). */
  get unreachable(): boolean {
    return (
      this.kind === "network" ||
      this.kind === "timeout" ||
      (this.kind === "http" && this.status >= 502 && this.status <= 504)
    );
  }

  /** The run id of a 409 "a run is going" answer, if any. */
  get runId(): number | undefined {
    const b = this.body as { run_id?: unknown } | null;
    return b && typeof b === "object" && typeof b.run_id === "number" ? b.run_id : undefined;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Text a person can read for any error from this client. */
export function describeError(e: unknown): string {
  if (isApiError(e)) {
    if (e.unreachable) return "Can't reach the Tandem server.";
    if (e.kind === "aborted") return "The request was cancelled.";
    return e.detail || `The server answered ${e.status}.`;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Flattens `{"detail": "..."}` and DRF-style `{field: ["msg", ...]}` bodies into one line. */
function detailOf(body: unknown, status: number): string {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === "string") return b.detail;
    const parts: string[] = [];
    for (const [field, v] of Object.entries(b)) {
      const msgs = Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : [];
      if (msgs.length) parts.push(`${field}: ${msgs.join(" ")}`);
    }
    if (parts.length) return parts.join("; ");
  }
  if (typeof body === "string" && body.trim() && body.length < 300) return body.trim();
  return `The server answered ${status}.`;
}

export interface Page<T> {
  items: T[];
  /** All matching items (`X-Total-Count`); NaN when the server did not say. */
  total: number;
  /** The next page's URL (from the RFC 8288 `Link` header), or null on the last page. */
  next: string | null;
}

/** The target of `rel="next"` in a `Link` header. */
export function nextLink(header: string | null): string | null {
  for (const part of header?.split(",") ?? []) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2])) return m[1];
  }
  return null;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ApiClientOptions {
  /** Base URL of the API, default `/api` (same origin). */
  base?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class ApiClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(opts: ApiClientOptions = {}) {
    this.base = (opts.base ?? "/api").replace(/\/+$/, "");
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return (await this.call<T>(method, this.base + path, body, opts)).body;
  }

  /** One page of a list: its items, the `X-Total-Count` and the URL of the `Link` header's next page. */
  async page<T>(url: string, opts: RequestOptions = {}): Promise<Page<T>> {
    const { body, headers, url: answered } = await this.call<T[]>("GET", url, undefined, opts);
    const next = nextLink(headers.get("link"));
    return {
      items: Array.isArray(body) ? body : [],
      total: Number(headers.get("x-total-count") ?? Number.NaN),
      next: next && answered ? new URL(next, answered).href : next,
    };
  }

  private async call<T>(
    method: string,
    url: string,
    body: unknown,
    opts: RequestOptions,
  ): Promise<{ body: T; headers: Headers; url: string }> {
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, opts.timeoutMs ?? this.timeoutMs);
    const onAbort = () => ctrl.abort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers:
          body === undefined
            ? { Accept: "application/json" }
            : { Accept: "application/json", "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
        signal: ctrl.signal,
      });
    } catch (e) {
      if (timedOut) throw new ApiError("timeout", "The Tandem server did not answer in time.");
      if (opts.signal?.aborted) throw new ApiError("aborted", "The request was cancelled.");
      throw new ApiError("network", e instanceof Error ? e.message : "Network error");
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }

    if (res.status === 204) return { body: undefined as T, headers: res.headers, url: res.url };
    const text = await res.text().catch(() => "");
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) {
      throw new ApiError("http", detailOf(parsed, res.status), {
        status: res.status,
        detail: detailOf(parsed, res.status),
        body: parsed,
      });
    }
    return { body: parsed as T, headers: res.headers, url: res.url };
  }

  private sessionPath(sessionId: string, tail = ""): string {
    return `/sessions/${encodeURIComponent(sessionId)}/${tail}`;
  }

  /** A page of the sidebar's sessions: pinned first, then latest message first (`view=summary`: no agents' prompts). */
  listSessionSummaries(page: { offset: number; limit: number }, opts?: RequestOptions): Promise<Page<SessionSummary>> {
    const query = `view=summary&ordering=-last_message_at&limit=${page.limit}&offset=${page.offset}`;
    return this.page<SessionSummary>(`${this.base}/sessions/?${query}`, opts);
  }

  createSession(
    body: { title?: string; session_id?: string; team?: string } = {},
    opts?: RequestOptions,
  ): Promise<Session> {
    return this.request<Session>("POST", "/sessions/", body, opts);
  }

  getSession(sessionId: string, opts?: RequestOptions): Promise<Session> {
    return this.request<Session>("GET", this.sessionPath(sessionId), undefined, opts);
  }

  renameSession(sessionId: string, title: string, opts?: RequestOptions): Promise<Session> {
    return this.request<Session>("PATCH", this.sessionPath(sessionId), { title }, opts);
  }

  /** Gives the session another team: its assignments become the team's members. */
  setSessionTeam(sessionId: string, team: string, opts?: RequestOptions): Promise<Session> {
    return this.request<Session>("PATCH", this.sessionPath(sessionId), { team }, opts);
  }

  listTeams(opts?: RequestOptions): Promise<Team[]> {
    return this.request<Team[]>("GET", "/teams/", undefined, opts);
  }

  pinSession(sessionId: string, pinned: boolean, opts?: RequestOptions): Promise<Session> {
    return this.request<Session>("PATCH", this.sessionPath(sessionId), { pinned }, opts);
  }

  deleteSession(sessionId: string, opts?: RequestOptions): Promise<void> {
    return this.request<void>("DELETE", this.sessionPath(sessionId), undefined, opts);
  }

  /** The whole history: a long chat comes in pages, followed through their `Link` headers. */
  async history(sessionId: string, opts?: RequestOptions): Promise<Message[]> {
    const messages: Message[] = [];
    let url: string | null = this.base + this.sessionPath(sessionId, "history/");
    while (url) {
      const page: Page<Message> = await this.page<Message>(url, { timeoutMs: 30_000, ...opts });
      messages.push(...page.items);
      url = page.items.length > 0 ? page.next : null;
    }
    return messages;
  }

  state(sessionId: string, opts?: RequestOptions): Promise<SessionState> {
    return this.request<SessionState>("GET", this.sessionPath(sessionId, "state/"), undefined, opts);
  }

  /**
   * Sends a message: 202 `{run_id, message, status}`: `running`, `queued` behind the running run
   * (`position`), or with `steer` while a run is going, `steering` (it joined that run as guidance).
   */
  send(sessionId: string, content: string, opts?: RequestOptions & { steer?: boolean }): Promise<SendAccepted> {
    const body = { content, async: true, ...(opts?.steer ? { steer: true } : {}) };
    return this.request<SendAccepted>("POST", this.sessionPath(sessionId, "send/"), body, opts);
  }

  /** The active path's turns: status and reason, answer versions and message edits. */
  turns(sessionId: string, opts?: RequestOptions): Promise<Turn[]> {
    return this.request<Turn[]>("GET", this.sessionPath(sessionId, "turns/"), undefined, opts);
  }

  queue(sessionId: string, opts?: RequestOptions): Promise<QueuedRun[]> {
    return this.request<QueuedRun[]>("GET", this.sessionPath(sessionId, "queue/"), undefined, opts);
  }

  editQueued(sessionId: string, runId: number, content: string, opts?: RequestOptions): Promise<unknown> {
    return this.request("PATCH", this.sessionPath(sessionId, `queue/${runId}/`), { content }, opts);
  }

  removeQueued(sessionId: string, runId: number, opts?: RequestOptions): Promise<void> {
    return this.request<void>("DELETE", this.sessionPath(sessionId, `queue/${runId}/`), undefined, opts);
  }

  /** Another version of a turn (`regenerate`, `retry`, `continue`): 202 `{run_id, status}`. */
  rerun(
    sessionId: string,
    action: "regenerate" | "retry" | "continue",
    runId: number,
    opts?: RequestOptions,
  ): Promise<SendAccepted> {
    return this.request("POST", this.sessionPath(sessionId, `${action}/`), { run_id: runId, async: true }, opts);
  }

  /** A new version of a user message and a new run from there. */
  edit(sessionId: string, messageId: number, content: string, opts?: RequestOptions): Promise<SendAccepted> {
    const body = { message_id: messageId, content, async: true };
    return this.request<SendAccepted>("POST", this.sessionPath(sessionId, "edit/"), body, opts);
  }

  /** Switches the conversation to another version of a turn. */
  select(sessionId: string, runId: number, opts?: RequestOptions): Promise<{ head_run_id: number }> {
    return this.request("POST", this.sessionPath(sessionId, "select/"), { run_id: runId }, opts);
  }

  cancel(sessionId: string, opts?: RequestOptions): Promise<{ run_id: number | string; status: string }> {
    return this.request("POST", this.sessionPath(sessionId, "cancel/"), {}, opts);
  }

  /** Thumbs up or down on an agent's turn (null takes it back): the rated Message. */
  rateMessage(messageId: number, rating: Rating | null, opts?: RequestOptions): Promise<Message> {
    return this.request<Message>("PUT", `/messages/${messageId}/rating/`, { rating }, opts);
  }

  /** Messages of every conversation that match the words of `q`, best first (one page). */
  search(q: string, opts?: RequestOptions & { limit?: number }): Promise<SearchResult[]> {
    const query = `q=${encodeURIComponent(q)}&limit=${opts?.limit ?? 20}`;
    return this.request<SearchResult[]>("GET", `/search/?${query}`, undefined, opts);
  }

  health(opts?: RequestOptions): Promise<{ message: string }> {
    return this.request("GET", "/health/", undefined, { timeoutMs: 5_000, ...opts });
  }
}

/** The shared client of the browser app. */
export const api = new ApiClient();

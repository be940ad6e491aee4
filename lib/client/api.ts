/**
 * Browser-side REST client for the public Tandem API (base `/api`).
 *
 * Every failure is an `ApiError` with a `kind` a UI can act on:
 * - `network`: the server could not be reached (down, restarting, offline);
 * - `timeout`: no answer in time;
 * - `http`: the server answered with a non-2xx status (`status`, `detail`, `body`).
 */
import type { Message, SendAccepted, Session, SessionState } from "./types";

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
    return this.kind === "network" || this.kind === "timeout" || (this.kind === "http" && this.status >= 502 && this.status <= 504);
  }

  /** The run id of a 409 "a run is going" answer, if any. */
  get runId(): number | string | undefined {
    const b = this.body as { run_id?: number | string } | null;
    return b && typeof b === "object" ? b.run_id : undefined;
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
      res = await this.fetchImpl(this.base + path, {
        method,
        headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
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

    if (res.status === 204) return undefined as T;
    const text = await res.text().catch(() => "");
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) {
      throw new ApiError("http", detailOf(parsed, res.status), { status: res.status, detail: detailOf(parsed, res.status), body: parsed });
    }
    return parsed as T;
  }

  private sessionPath(sessionId: string, tail = ""): string {
    return `/sessions/${encodeURIComponent(sessionId)}/${tail}`;
  }

  listSessions(opts?: RequestOptions): Promise<Session[]> {
    return this.request<Session[]>("GET", "/sessions/", undefined, opts);
  }

  createSession(body: { title?: string; session_id?: string } = {}, opts?: RequestOptions): Promise<Session> {
    return this.request<Session>("POST", "/sessions/", body, opts);
  }

  getSession(sessionId: string, opts?: RequestOptions): Promise<Session> {
    return this.request<Session>("GET", this.sessionPath(sessionId), undefined, opts);
  }

  renameSession(sessionId: string, title: string, opts?: RequestOptions): Promise<Session> {
    return this.request<Session>("PATCH", this.sessionPath(sessionId), { title }, opts);
  }

  deleteSession(sessionId: string, opts?: RequestOptions): Promise<void> {
    return this.request<void>("DELETE", this.sessionPath(sessionId), undefined, opts);
  }

  history(sessionId: string, opts?: RequestOptions): Promise<Message[]> {
    return this.request<Message[]>("GET", this.sessionPath(sessionId, "history/"), undefined, { timeoutMs: 30_000, ...opts });
  }

  state(sessionId: string, opts?: RequestOptions): Promise<SessionState> {
    return this.request<SessionState>("GET", this.sessionPath(sessionId, "state/"), undefined, opts);
  }

  /** Starts a run: 202 `{run_id, message}`; a run already going is a 409 `ApiError` with `runId`. */
  send(sessionId: string, content: string, opts?: RequestOptions): Promise<SendAccepted> {
    return this.request<SendAccepted>("POST", this.sessionPath(sessionId, "send/"), { content, async: true }, opts);
  }

  cancel(sessionId: string, opts?: RequestOptions): Promise<{ run_id: number | string; status: string }> {
    return this.request("POST", this.sessionPath(sessionId, "cancel/"), {}, opts);
  }

  health(opts?: RequestOptions): Promise<{ message: string }> {
    return this.request("GET", "/health/", undefined, { timeoutMs: 5_000, ...opts });
  }
}

/** The shared client of the browser app. */
export const api = new ApiClient();

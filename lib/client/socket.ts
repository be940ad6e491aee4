/**
 * WebSocket client for `/ws/chat/<session_id>/` with automatic reconnect.
 *
 * - Reconnects with exponential backoff + jitter (cap 10 s), resetting the backoff once the
 *   server's `connected` frame arrives (a socket that opens and dies at once keeps backing off).
 * - Each (re)connect asks for `?since=<last seq seen>` (from `getSince`) so the server replays
 *   what was missed; ordering, dedupe and resync are the caller's job (see conversation.ts).
 * - Reconnects at once when the browser comes back online or the tab becomes visible again.
 * - Sends nothing on its own: the server answers every client frame, so none are needed.
 */
import { backoffDelay } from "./backoff";

export type SocketStatus = "idle" | "connecting" | "open" | "reconnecting" | "offline" | "closed";

export interface SocketInfo {
  status: SocketStatus;
  /** Failed attempts since the last successful connect. */
  attempt: number;
  /** When the next attempt is scheduled (ms since epoch), if one is. */
  nextRetryAt: number | null;
}

export interface ChatSocketOptions {
  sessionId: string;
  /** Called for every JSON frame, including `connected`. */
  onFrame: (frame: Record<string, unknown>) => void;
  onStatus?: (info: SocketInfo) => void;
  /** The seq to resume from, or null for a fresh connection. */
  getSince?: () => number | null;
  /** Builds the socket URL (default: same origin, ws/wss by page protocol). */
  url?: (sessionId: string, since: number | null) => string;
  connectTimeoutMs?: number;
  capMs?: number;
  WebSocketImpl?: typeof WebSocket;
}

export function defaultSocketUrl(sessionId: string, since: number | null): string {
  const loc = window.location;
  const proto = loc.protocol === "https:" ? "wss:" : "ws:";
  const q = since != null && since >= 0 ? `?since=${since}` : "";
  return `${proto}//${loc.host}/ws/chat/${encodeURIComponent(sessionId)}/${q}`;
}

export class ChatSocket {
  private ws: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private info: SocketInfo = { status: "idle", attempt: 0, nextRetryAt: null };
  private readonly opts: ChatSocketOptions;

  constructor(opts: ChatSocketOptions) {
    this.opts = opts;
  }

  get status(): SocketStatus {
    return this.info.status;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    document.addEventListener("visibilitychange", this.onVisible);
    // Connect on the next tick: a start() undone at once (React's dev double effects) then
    // never opens a socket only to abort it.
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, 0);
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    document.removeEventListener("visibilitychange", this.onVisible);
    this.clearTimers();
    this.detach(1000, "client closed");
    this.setInfo({ status: "closed", attempt: this.attempt, nextRetryAt: null });
  }

  /** Drops the current socket (if any) and connects again at once, keeping the resume point. */
  reconnectNow(): void {
    if (this.stopped) return;
    this.clearTimers();
    this.detach(4000, "reconnect");
    this.connect();
  }

  /** Closes the current socket, if any, without its handlers seeing it close. */
  private detach(code?: number, reason?: string): void {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    try {
      ws.close(code, reason);
    } catch {
      /* already closed */
    }
  }

  private readonly onOnline = () => {
    if (this.info.status !== "open") this.reconnectNow();
  };

  private readonly onOffline = () => {
    if (this.info.status !== "open") this.setInfo({ ...this.info, status: "offline" });
  };

  private readonly onVisible = () => {
    if (document.visibilityState === "visible" && this.retryTimer) this.reconnectNow();
  };

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.retryTimer = this.connectTimer = null;
  }

  private setInfo(info: SocketInfo): void {
    this.info = info;
    this.opts.onStatus?.(info);
  }

  private connect(): void {
    if (this.stopped) return;
    const since = this.opts.getSince?.() ?? null;
    const url = (this.opts.url ?? defaultSocketUrl)(this.opts.sessionId, since);
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    this.setInfo({
      status: this.attempt === 0 ? "connecting" : "reconnecting",
      attempt: this.attempt,
      nextRetryAt: null,
    });

    let ws: WebSocket;
    try {
      ws = new Impl(url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    // A handshake that never completes counts as failed. Generous before `open`: after failures
    // the browser itself may hold a new socket back for seconds before even dialling.
    const armTimeout = (ms: number) => {
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = setTimeout(() => {
        if (this.ws !== ws) return;
        this.detach();
        this.scheduleRetry();
      }, ms);
    };
    armTimeout(30_000);
    ws.onopen = () => {
      // Open: the server's `connected` frame should follow promptly.
      if (this.ws === ws) armTimeout(this.opts.connectTimeoutMs ?? 10_000);
    };

    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws) return;
      if (typeof ev.data !== "string") return;
      let frame: unknown;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!frame || typeof frame !== "object") return;
      const f = frame as Record<string, unknown>;
      if (f.event === "connected") {
        if (this.connectTimer) clearTimeout(this.connectTimer);
        this.connectTimer = null;
        this.attempt = 0;
        this.setInfo({ status: "open", attempt: 0, nextRetryAt: null });
      }
      this.opts.onFrame(f);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.scheduleRetry();
    };
    ws.onerror = () => {
      // `close` follows; nothing to do here.
    };
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.clearTimers();
    const delay = backoffDelay(this.attempt, { capMs: this.opts.capMs ?? 10_000 });
    this.attempt += 1;
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.setInfo({
      status: offline ? "offline" : "reconnecting",
      attempt: this.attempt,
      nextRetryAt: Date.now() + delay,
    });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }
}

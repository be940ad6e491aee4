/**
 * The chat WebSocket, `/ws/chat/<session_id>/`: a `connected` frame, then (with `?since=<seq>`)
 * the missed events, then live ones. Client JSON frames are echoed (compat); anything else gets
 * an error frame and the socket stays open.
 */
import type { WebSocket } from "ws";
import { isSessionId } from "@/lib/ids";
import { hub, resyncFrame, type Subscription } from "./hub";

/** A client this far behind is too slow to keep; it can reconnect with `since`. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

export const CHAT_PATH = /^\/ws\/chat\/([^/]+)\/?$/;

export function chatSessionId(pathname: string): string | null {
  const match = CHAT_PATH.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

function parseSince(value: string | null): number | undefined {
  if (value === null || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

export function attachChatSocket(ws: WebSocket, sessionId: string, query: URLSearchParams): void {
  if (!isSessionId(sessionId)) {
    ws.close(4400, "invalid session id");
    return;
  }
  const send = (frame: string) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(frame);
  };
  const since = parseSince(query.get("since"));
  // Frames that arrive before the subscription is in place (replay, or live ones while a
  // transport such as Redis sets it up) wait until `connected` has gone out.
  let queued: string[] | null = [];
  let subscription: Subscription | null = null;
  let closed = false;
  const begin = (s: Subscription) => {
    if (closed) return s.unsubscribe();
    subscription = s;
    send(JSON.stringify({ event: "connected", session_id: sessionId, seq: s.seq }));
    if (!s.replayed) send(resyncFrame(s.seq));
    for (const frame of queued!) send(frame);
    queued = null;
  };
  const result = hub().subscribe(sessionId, since, (d) => (queued ? queued.push(d.frame) : send(d.frame)));
  if ("then" in result) {
    result.then(begin, () => ws.close(1011, "could not subscribe"));
  } else {
    begin(result);
  }

  let alive = true;
  ws.on("pong", () => (alive = true));
  const heartbeat = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, 30_000);
  heartbeat.unref();

  ws.on("message", (data, isBinary) => {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (isBinary || size > MAX_CLIENT_FRAME_BYTES) {
      send(JSON.stringify({ event: "error", payload: { detail: "Frames must be JSON text of at most 64 KiB." } }));
      return;
    }
    let echo: string;
    try {
      // Serializing again is inside the try: a frame nested thousands deep parses, but
      // JSON.stringify overflows the stack on it (an uncaught RangeError otherwise).
      echo = JSON.stringify({ event: "echo", payload: JSON.parse(data.toString()) });
    } catch (e) {
      const detail = e instanceof RangeError ? "Frame is nested too deeply." : "Invalid JSON frame.";
      send(JSON.stringify({ event: "error", payload: { detail } }));
      return;
    }
    send(echo);
  });
  ws.on("close", () => {
    clearInterval(heartbeat);
    closed = true;
    subscription?.unsubscribe();
  });
  ws.on("error", () => ws.terminate());
}

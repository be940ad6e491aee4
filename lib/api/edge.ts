/**
 * What every request goes through in server.ts before Next sees it: forwarded headers dropped
 * unless the proxy is trusted, a request id (an incoming `X-Request-Id` when it is sane, else a
 * new one; echoed back and logged), security headers, CORS (the API only), refusal of URLs no
 * router should see, cross-origin posts to pages refused, API keys and the send rate limit. API
 * requests get one JSON access-log line when they finish. The WebSocket upgrade is checked here
 * too (browsers apply no CORS to WebSockets; with keys set, it needs one like the API).
 */
import { randomUUID } from "node:crypto";
import { IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { CLIENT_ADDRESS_HEADER, isSameOrigin } from "@/lib/request";
import {
  apiKeys,
  bearerToken,
  classifyPath,
  INVALID_KEY,
  isAuthPath,
  isSendPath,
  type PathKind,
  UNAUTHENTICATED,
  WWW_AUTHENTICATE,
} from "./auth";
import { corsPolicy } from "./cors";
import { parseRate, rateLimiter } from "./rate-limit";
import { API_SECURITY_HEADERS, SECURITY_HEADERS } from "./security-headers";

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface EdgeOptions {
  corsOrigins: string;
  apiKeys?: string;
  sendRate?: string;
  /** Believe the X-Forwarded-* headers (behind a reverse proxy you run); else they are dropped. */
  trustProxy: boolean;
  /**
   * With accounts (TANDEM_AUTH=accounts) the route wrapper and this check decide who may do
   * what (lib/accounts): the edge then leaves keys and the send rate to them. Resolves to null
   * when the WebSocket may open, else the refusal.
   */
  authorizeSocket?: (req: IncomingMessage, sessionId: string, token: string | null) => Promise<Refusal | null>;
  log: Logger;
}

/**
 * Headers a reverse proxy sets. Sent by a client directly they are lies: X-Forwarded-Host would
 * pass the origin checks (Next's server-action check and the admin's) for any Origin.
 */
export interface Refusal {
  status: "401 Unauthorized" | "404 Not Found";
  detail: string;
}

const FORWARDED_HEADERS = ["forwarded", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-for"];
const API_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

/**
 * Repeated slashes in the path count as one (`//sessions/`, `/api//sessions/`: an API base that
 * ends in `/`), answered in place: the contract promises no redirects. The query is left as is.
 */
export function collapseSlashes(url: string): string {
  if (!url.startsWith("/")) return url;
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.includes("//")) return url;
  return path.replace(/\/{2,}/g, "/") + (query === -1 ? "" : url.slice(query));
}

export function createEdge(options: EdgeOptions) {
  const applyCors = corsPolicy(options.corsOrigins);
  const keys = apiKeys(options.apiKeys);
  const limiter = rateLimiter(parseRate(options.sendRate));

  const clientAddress = (req: IncomingMessage): string => {
    if (options.trustProxy) {
      const forwarded = req.headers["x-forwarded-for"];
      // The last entry is the one your proxy added; earlier ones are the client's to invent.
      const nearest = (Array.isArray(forwarded) ? forwarded.at(-1) : forwarded)?.split(",").at(-1)?.trim();
      if (nearest) return nearest.slice(0, 64);
    }
    return req.socket.remoteAddress ?? "unknown";
  };

  /** null when allowed (with the key's id, if any), else the reason for a 401. */
  const accounts = options.authorizeSocket !== undefined;
  const authenticate = (token: string | null): { keyId: string | null; denied: string | null } => {
    if (!keys.enabled || accounts) return { keyId: null, denied: null };
    if (!token) return { keyId: null, denied: UNAUTHENTICATED };
    const keyId = keys.verify(token);
    return keyId ? { keyId, denied: null } : { keyId: null, denied: INVALID_KEY };
  };

  /**
   * Handles the request's edge concerns; returns true when it answered the request itself
   * (a preflight, a 400 for an unroutable URL, a 401 or a 429).
   */
  function http(req: IncomingMessage, res: ServerResponse): boolean {
    try {
      return edgeHttp(req, res);
    } catch (err) {
      // A bug here must cost one request, not the process.
      options.log.warn({ err, reqId: req.headers["x-request-id"] }, "edge check failed");
      if (!res.headersSent) sendJson(res, 500, { detail: "Internal server error." });
      else res.destroy();
      return true;
    }
  }

  const dropUntrustedForwarding = (req: IncomingMessage) => {
    if (!options.trustProxy) for (const name of FORWARDED_HEADERS) delete req.headers[name];
  };

  function edgeHttp(req: IncomingMessage, res: ServerResponse): boolean {
    dropUntrustedForwarding(req);
    const requestId = requestIdOf(req.headers["x-request-id"]);
    req.headers["x-request-id"] = requestId; // route handlers log it
    // The one place that decides who the client is; pages and actions read it from here.
    req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req);
    res.setHeader("X-Request-Id", requestId);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);

    const rawUrl = collapseSlashes(req.url ?? "/");
    req.url = rawUrl;
    const kind: PathKind = rawUrl.startsWith("/") ? classifyPath(rawUrl) : "api";
    if (kind !== "other") {
      for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) res.setHeader(k, v);
      // Next gzips every answer the client takes gzip for (browsers and fetch always do), down
      // to a 2-byte body: it cannot skip small ones, as route handlers' answers carry no length.
      // Answers to writes are small (an acknowledgement, the object written), and a zlib stream
      // for each costs more than it saves (about 0.2 ms a request here); reads keep it.
      if (req.method !== "GET" && req.method !== "HEAD") delete req.headers["accept-encoding"];
      const started = performance.now();
      const path = rawUrl.split("?")[0].slice(0, 300);
      res.once("finish", () =>
        options.log.info(
          {
            reqId: requestId,
            method: req.method,
            path,
            status: res.statusCode,
            ms: Math.round(performance.now() - started),
          },
          "request",
        ),
      );
    }
    // CORS is the API's: a page, /admin or a sign-in answer must never be readable by another origin.
    if (kind !== "other" && !isAuthPath(rawUrl) && applyCors(req, res)) return true;
    dropMalformedRouterState(req);
    if (kind !== "other" && !API_METHODS.has(req.method ?? "")) {
      sendJson(res, 405, { detail: `Method "${req.method}" not allowed.` }, { Allow: [...API_METHODS].join(", ") });
      return true;
    }

    // Absolute-form or `*` targets and undecodable paths never reach the router.
    if (!rawUrl.startsWith("/") || !isValidUrl(rawUrl)) {
      sendJson(res, 400, { detail: "Malformed request URL." });
      return true;
    }
    // Next's own origin check answers a mismatch with a 500, and lets an action without Origin
    // (or Referer) through.
    if (kind === "other" && serverActionKind(req) !== null && !isSameOrigin(headerReader(req))) {
      sendJson(res, 403, { detail: "Cross-site request refused." });
      return true;
    }
    if (kind !== "api" || req.method === "OPTIONS") return false;

    const { keyId, denied } = authenticate(bearerToken(req.headers.authorization));
    if (denied) {
      sendJson(res, 401, { detail: denied }, { "WWW-Authenticate": WWW_AUTHENTICATE });
      return true;
    }
    if (req.method === "POST" && !accounts && isSendPath(rawUrl)) {
      const verdict = limiter.take(keyId ? `key:${keyId}` : `ip:${clientAddress(req)}`);
      if (!verdict.ok) {
        sendJson(
          res,
          429,
          { detail: `Too many messages sent; try again in ${verdict.retryAfterSeconds} s.` },
          { "Retry-After": String(verdict.retryAfterSeconds) },
        );
        return true;
      }
    }
    return false;
  }

  /**
   * The WebSocket's check before the upgrade: with keys set, a Bearer header or `?token=`; with
   * accounts, the same principal and ownership rules as the API. Resolves to true when it
   * refused (and closed) the socket.
   */
  async function upgrade(
    req: IncomingMessage,
    socket: Duplex,
    query: URLSearchParams,
    sessionId: string,
  ): Promise<boolean> {
    dropUntrustedForwarding(req);
    const token = bearerToken(req.headers.authorization) ?? query.get("token");
    const { denied } = authenticate(token);
    const refusal: Refusal | null = denied
      ? { status: "401 Unauthorized", detail: denied }
      : ((await options.authorizeSocket?.(req, sessionId, token)) ?? null);
    if (!refusal) return false;
    const headers: Record<string, string> =
      refusal.status === "401 Unauthorized" ? { "WWW-Authenticate": WWW_AUTHENTICATE } : {};
    endRawJson(socket, refusal.status, { detail: refusal.detail }, headers);
    return true;
  }

  /**
   * Hands the request on (`next`), after checking what Next decodes without grace (a 500 when
   * malformed): the body of a server action. A multipart POST is read (up to 1 MiB, Next's
   * server-action limit) and parsed the way Next parses it; to a page without a `Next-Action`
   * header it is a no-JavaScript submission. A fetch action (`Next-Action`) to a page must be
   * multipart, as the admin's actions (all taking a form) are always sent, with its first row,
   * the argument list, in JSON. Malformed is a 400; well-formed is replayed to Next unchanged
   * (API handlers refuse it as not JSON anyway). Every other request passes straight through.
   */
  function forward(req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage) => void): void {
    const action = serverActionKind(req);
    const fetchAction = action === "fetch" && classifyPath(req.url ?? "/") === "other";
    const type = String(req.headers["content-type"] ?? "");
    const multipart = /^multipart\/form-data/i.test(type);
    if (fetchAction && !multipart) {
      sendJson(res, 400, { detail: MALFORMED_ACTION });
      return;
    }
    if (req.method !== "POST" || !multipart) {
      next(req);
      return;
    }
    void readBody(req, FORM_LIMIT)
      .then(async (body) => {
        if (body === null)
          return sendJson(res, 413, { detail: `Request body is too large (the limit is ${FORM_LIMIT} bytes).` });
        let form: FormData;
        try {
          form = await new Response(new Uint8Array(body), { headers: { "content-type": type } }).formData();
        } catch {
          return sendJson(res, 400, { detail: "Malformed multipart/form-data body." });
        }
        if (fetchAction && !isJsonArray(form.get("0"))) return sendJson(res, 400, { detail: MALFORMED_ACTION });
        next(replay(req, body));
      })
      .catch(() => res.destroy());
  }

  /**
   * The HTTP parser's own refusals (an unknown method, headers over 16 KiB, broken framing)
   * answered as JSON like every other error, instead of Node's empty 400.
   */
  function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, detail] =
      err.code === "HPE_HEADER_OVERFLOW"
        ? ["431 Request Header Fields Too Large", "Request headers are too large."]
        : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? ["408 Request Timeout", "The request took too long to arrive."]
          : ["400 Bad Request", "Malformed HTTP request."];
    endRawJson(socket, status, { detail }, { "X-Content-Type-Options": "nosniff" });
  }

  return { http, upgrade, forward, clientError, keysEnabled: keys.enabled };
}

const FORM_LIMIT = 1024 * 1024;
const MALFORMED_ACTION = "Malformed server action request.";

/**
 * Whether Next would try this request as a server action (it tries every POST of these kinds):
 * a fetch action names itself in `Next-Action`; a form post may be a no-JavaScript one.
 */
function serverActionKind(req: IncomingMessage): "fetch" | "form" | null {
  if (req.method !== "POST") return null;
  if (req.headers["next-action"] !== undefined) return "fetch";
  return /^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(String(req.headers["content-type"] ?? ""))
    ? "form"
    : null;
}

function isJsonArray(value: FormDataEntryValue | null): boolean {
  if (typeof value !== "string") return false;
  try {
    return Array.isArray(JSON.parse(value));
  } catch {
    return false;
  }
}

/** A JSON answer written straight to a socket that never became an HTTP response (an upgrade, a parser refusal), then closed. */
function endRawJson(socket: Duplex, status: string, body: object, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  const head = Object.entries({
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(text)),
    Connection: "close",
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.end(`HTTP/1.1 ${status}\r\n${head}\r\n${text}`);
}

/**
 * `Next-Router-State-Tree` is the client router's JSON state; Next answers 500 when it cannot
 * parse it. A malformed one is dropped, so the request is served as a plain navigation.
 */
function dropMalformedRouterState(req: IncomingMessage): void {
  const value = req.headers["next-router-state-tree"];
  if (value === undefined) return;
  try {
    if (Array.isArray(JSON.parse(decodeURIComponent(String(value))))) return;
  } catch {
    // fall through
  }
  delete req.headers["next-router-state-tree"];
}

/** `req.headers` read the way isSameOrigin reads a Headers object. */
function headerReader(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

/** The whole body, or null once it passes `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

/** A request equal to `req` whose body (already read) is `body`. */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.headers = { ...req.headers, "content-length": String(body.length) };
  delete copy.headers["transfer-encoding"];
  copy.rawHeaders = [];
  for (const [k, v] of Object.entries(copy.headers))
    for (const one of Array.isArray(v) ? v : [v ?? ""]) copy.rawHeaders.push(k, one);
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

function isValidUrl(rawUrl: string): boolean {
  try {
    const url = new URL(rawUrl, "http://localhost");
    decodeURIComponent(url.pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * What every request goes through in server.ts before Next sees it: a request id (an incoming
 * `X-Request-Id` when it is sane, else a new one; echoed back and logged), security headers,
 * CORS, refusal of URLs no router should see, API keys and the send rate limit. API requests
 * get one JSON access-log line when they finish. The WebSocket upgrade is checked here too.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { apiKeys, bearerToken, classifyPath, INVALID_KEY, isSendPath, type PathKind, UNAUTHENTICATED, WWW_AUTHENTICATE } from "./auth.ts";
import { corsPolicy } from "./cors.ts";
import { parseRate, rateLimiter } from "./rate-limit.ts";
import { API_SECURITY_HEADERS, SECURITY_HEADERS } from "./security-headers.ts";

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface EdgeOptions {
  corsOrigins: string;
  apiKeys?: string;
  sendRate?: string;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy you run). */
  trustProxy: boolean;
  log: Logger;
}

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

export function createEdge(options: EdgeOptions) {
  const applyCors = corsPolicy(options.corsOrigins);
  const keys = apiKeys(options.apiKeys);
  const limiter = rateLimiter(parseRate(options.sendRate));

  const clientAddress = (req: IncomingMessage): string => {
    if (options.trustProxy) {
      const forwarded = req.headers["x-forwarded-for"];
      const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
      if (first) return first.slice(0, 64);
    }
    return req.socket.remoteAddress ?? "unknown";
  };

  /** null when allowed (with the key's id, if any), else the reason for a 401. */
  const authenticate = (token: string | null): { keyId: string | null; denied: string | null } => {
    if (!keys.enabled) return { keyId: null, denied: null };
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

  function edgeHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const requestId = requestIdOf(req.headers["x-request-id"]);
    req.headers["x-request-id"] = requestId; // route handlers log it
    res.setHeader("X-Request-Id", requestId);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);

    const rawUrl = req.url ?? "/";
    const kind: PathKind = rawUrl.startsWith("/") ? classifyPath(rawUrl) : "api";
    if (kind !== "other") {
      for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) res.setHeader(k, v);
      const started = performance.now();
      const path = rawUrl.split("?")[0].slice(0, 300);
      res.once("finish", () =>
        options.log.info(
          { reqId: requestId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) },
          "request",
        ),
      );
    }
    if (applyCors(req, res)) return true;

    // Absolute-form or `*` targets and undecodable paths never reach the router.
    if (!rawUrl.startsWith("/") || rawUrl.startsWith("//") || !isValidUrl(rawUrl)) {
      sendJson(res, 400, { detail: "Malformed request URL." });
      return true;
    }
    if (kind !== "api" || req.method === "OPTIONS") return false;

    const { keyId, denied } = authenticate(bearerToken(req.headers.authorization));
    if (denied) {
      sendJson(res, 401, { detail: denied }, { "WWW-Authenticate": WWW_AUTHENTICATE });
      return true;
    }
    if (req.method === "POST" && isSendPath(rawUrl)) {
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
   * The WebSocket's check before the upgrade: with keys set, a Bearer header or `?token=`.
   * Returns true when it refused (and closed) the socket.
   */
  function upgrade(req: IncomingMessage, socket: Duplex, query: URLSearchParams): boolean {
    const { denied } = authenticate(bearerToken(req.headers.authorization) ?? query.get("token"));
    if (!denied) return false;
    const body = JSON.stringify({ detail: denied });
    socket.end(
      "HTTP/1.1 401 Unauthorized\r\n" +
        `WWW-Authenticate: ${WWW_AUTHENTICATE}\r\n` +
        "Content-Type: application/json\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body,
    );
    return true;
  }

  return { http, upgrade, keysEnabled: keys.enabled };
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

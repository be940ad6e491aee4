/**
 * Optional API keys (TANDEM_API_KEYS, comma-separated). When set, the REST API (under /api and
 * its root mirror) and the chat WebSocket require `Authorization: Bearer <key>` (the WebSocket
 * also takes `?token=<key>`, since browsers cannot set headers on it). Health and readiness stay
 * open for load balancers; pages, static files and /admin (which has its own login) are not API.
 *
 * Which paths are API is decided on a normalized path (percent-decoding and dot segments
 * resolved until stable, slashes collapsed, lower-cased), so spellings such as `/API/sessions`,
 * `/docs/..%2Fapi/sessions` or `/%61pi/sessions` cannot reach a handler unauthenticated.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { API_ROOTS } from "@/lib/contract/paths";

// ---------------------------------------------------------------------------------------------
// 1. Paths
// ---------------------------------------------------------------------------------------------

/** Open even with keys: liveness and readiness probes. */
const OPEN_API_PATHS = new Set(["/api/health", "/health", "/api/ready", "/ready"]);

/** Better Auth's endpoints (sign-up, sign-in, single sign-on callbacks): open, and never CORS. */
const AUTH_PREFIX = "/api/auth/";

/**
 * The path as a router could end up seeing it, or null when it cannot be decoded (a request
 * that must not be routed at all).
 */
export function normalizePath(rawPath: string): string | null {
  let path = rawPath.split("?")[0].split("#")[0];
  for (let i = 0; i < 8; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return null;
    }
    let resolved: string;
    try {
      resolved = new URL(decoded.replace(/\\/g, "/").replace(/\/{2,}/g, "/"), "http://n").pathname;
    } catch {
      return null;
    }
    if (resolved === path) return path.toLowerCase();
    path = resolved;
  }
  return null; // still changing after 8 rounds: deliberately obfuscated
}

export type PathKind = "open-api" | "api" | "other";

/** Whether a request path is the API (needs a key when keys are set), an open probe, or not API. */
export function classifyPath(rawPath: string): PathKind {
  const decoded = normalizePath(rawPath);
  if (decoded === null) return "api"; // undecodable: treat as the strictest kind
  // Routers resolve dot segments but do not split on an encoded `%2F`, so the path is also
  // judged as it is before decoding: `/api/sessions/..%2F..%2Fdocs` is still the API.
  let plain: string;
  try {
    plain = new URL(
      rawPath
        .split("?")[0]
        .split("#")[0]
        .replace(/\/{2,}/g, "/"),
      "http://n",
    ).pathname.toLowerCase();
  } catch {
    return "api";
  }
  const kinds = [kindOf(decoded), kindOf(plain)];
  return kinds.includes("api") ? "api" : kinds.includes("open-api") ? "open-api" : "other";
}

function kindOf(path: string): PathKind {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  if (OPEN_API_PATHS.has(trimmed) || `${trimmed}/`.startsWith(AUTH_PREFIX)) return "open-api";
  const first = trimmed.split("/")[1] ?? "";
  return API_ROOTS.has(first) ? "api" : "other";
}

/** Whether the path is one of Better Auth's (under /api/auth/). */
export function isAuthPath(rawPath: string): boolean {
  const path = normalizePath(rawPath);
  return path !== null && `${path}/`.startsWith(AUTH_PREFIX);
}

/** `/api/sessions/<id>/send/` or its mirror: the path that is rate limited. */
export function isSendPath(rawPath: string): boolean {
  const path = normalizePath(rawPath);
  return path !== null && /^\/(api\/)?sessions\/[^/]+\/send\/*$/.test(path);
}

// ---------------------------------------------------------------------------------------------
// 2. Keys
// ---------------------------------------------------------------------------------------------

export interface ApiKeys {
  /** False when TANDEM_API_KEYS is unset or empty: everything is open. */
  enabled: boolean;
  /** The key's id (a short hash, safe to log and to key rate limits by) when it is valid. */
  verify(presented: string | null | undefined): string | null;
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function apiKeys(spec: string | undefined): ApiKeys {
  const keys = (spec ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean)
    .map((key) => ({
      hash: digest(key),
      id: digest(`tandem-key-id:${key}`).toString("hex").slice(0, 12),
    }));
  return {
    enabled: keys.length > 0,
    verify(presented) {
      if (!presented || keys.length === 0) return null;
      // Compare fixed-length digests in constant time, and always against every key.
      const candidate = digest(presented);
      let match: string | null = null;
      for (const key of keys) if (timingSafeEqual(candidate, key.hash) && match === null) match = key.id;
      return match;
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header, else null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value ?? "");
  return match ? match[1] : null;
}

export const UNAUTHENTICATED = "Authentication credentials were not provided.";
export const INVALID_KEY = "Invalid API key.";
export const WWW_AUTHENTICATE = 'Bearer realm="tandem"';

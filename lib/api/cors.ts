/**
 * CORS for the API and its root mirror. Origins come from TANDEM_CORS_ORIGINS (a comma list, or
 * `*` for every origin). Existing frontends call with `credentials: 'include'`, so the allowed
 * origin is echoed back (a literal `*` is refused by browsers for credentialed requests).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

const METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const DEFAULT_HEADERS = "Content-Type, Authorization, X-Requested-With, X-CSRFToken, Accept";
const EXPOSED = "X-Total-Count, Link, Retry-After, X-Request-Id";

export function corsPolicy(spec: string) {
  const origins = spec
    .split(",")
    .map((o) => o.trim().replace(/\/$/, ""))
    .filter(Boolean);
  const any = origins.includes("*");
  const allowed = (origin: string) => any || origins.includes(origin);

  /** Sets the CORS headers; returns true when it answered a preflight by itself. */
  return function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin || !allowed(origin)) return false;
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Allow-Credentials", "true");
    res.setHeader("Vary", "Origin");
    const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    if (!preflight) {
      res.setHeader("Access-Control-Expose-Headers", EXPOSED);
      return false;
    }
    res.setHeader("Access-Control-Allow-Methods", METHODS);
    res.setHeader("Access-Control-Allow-Headers", req.headers["access-control-request-headers"] || DEFAULT_HEADERS);
    res.setHeader("Access-Control-Max-Age", "86400");
    res.statusCode = 204;
    res.end();
    return true;
  };
}

/**
 * Where the API lives: under `/api/`, and (compat) at the root for clients or proxies that drop
 * the prefix. The root mirror's first segments are listed here once: next.config.ts rewrites them
 * to /api, the edge treats them as API (keys, CORS, JSON errors), and proxy.ts keeps its CSP
 * nonce off them (its matcher must be a literal; a test checks it against this list).
 */
export const MIRROR_ROOTS = [
  "health",
  "ready",
  "sessions",
  "messages",
  "agents",
  "teams",
  "tools",
  "search",
  "import",
] as const;

/** First path segments that are the API. */
export const API_ROOTS: ReadonlySet<string> = new Set(["api", ...MIRROR_ROOTS]);

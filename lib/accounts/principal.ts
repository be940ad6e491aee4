/**
 * Who is asking. With auth off everyone is the single user and sees everything; with accounts a
 * request acts as a user (Better Auth's session cookie, or a personal API key) or as a service
 * (a TANDEM_API_KEYS key: sees everything, like an admin). One function resolves it for route
 * handlers (lib/api/http.ts) and the WebSocket upgrade (server.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import { apiKeys, bearerToken } from "@/lib/api/auth";
import { findApiKey, touchApiKey } from "@/lib/db/api-keys";
import { env } from "@/lib/env";
import { singleton } from "@/lib/singleton";
import { accountsEnabled, auth } from "./auth";
import { cookieKey, recallSession, rememberSession } from "./recent-sessions";

export type Principal =
  | { kind: "everyone" }
  | { kind: "service"; keyId: string }
  | { kind: "user"; userId: string; admin: boolean }
  /** An open route's caller, not asked who it is: sees no one's sessions. */
  | { kind: "anonymous" };

export const EVERYONE: Principal = { kind: "everyone" };
export const ANONYMOUS: Principal = { kind: "anonymous" };

/** Whether the principal sees every session (auth off, a service key, an admin). */
export const seesAll = (p: Principal): boolean =>
  p.kind === "everyone" || p.kind === "service" || (p.kind === "user" && p.admin);

/**
 * The owner to filter lists by: undefined when the principal sees everything; for anonymous,
 * an id no user has.
 */
export function ownerScope(p: Principal): string | undefined {
  if (seesAll(p)) return undefined;
  return p.kind === "user" ? p.userId : "";
}

// ---------------------------------------------------------------------------------------------
// Personal keys: `tdm_` + 32 random bytes; only a SHA-256 is stored (a random key needs no slow hash).
// ---------------------------------------------------------------------------------------------

export const PERSONAL_KEY_PREFIX = "tdm_";

export const hashPersonalKey = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");

export function newPersonalKey(): { key: string; prefix: string; keyHash: string } {
  const key = `${PERSONAL_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, 12), keyHash: hashPersonalKey(key) };
}

/** Last use is recorded at most once a minute per key, so a busy key costs no write per call. */
const TOUCH_EVERY_MS = 60_000;

async function personalKeyPrincipal(token: string): Promise<Principal | null> {
  if (!token.startsWith(PERSONAL_KEY_PREFIX) || token.length > 100) return null;
  const key = await findApiKey(hashPersonalKey(token));
  if (!key) return null;
  if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > TOUCH_EVERY_MS)
    void touchApiKey(key.id).catch(() => {});
  return { kind: "user", userId: key.user.id, admin: key.user.role === "admin" };
}

const serviceKeys = () => singleton("accounts.serviceKeys", () => apiKeys(env.TANDEM_API_KEYS));

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

export interface Credentials {
  headers: Headers;
  /** The WebSocket's `?token=` (browsers cannot set headers on it). */
  queryToken?: string | null;
}

/**
 * A session cookie counts only on the app's own pages' requests: a browser's request from
 * another origin (Origin elsewhere, or Sec-Fetch-Site other than same-origin) is not the
 * person's doing, whatever CORS allows; other origins use a personal key.
 */
export function cookieMayCount(headers: Headers): boolean {
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const origin = headers.get("origin");
  if (origin === null) return true;
  const host = headers.get("x-forwarded-host")?.split(",")[0].trim() || headers.get("host");
  try {
    return host !== null && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The principal of a request, or null when accounts are on and it has no valid credentials
 * (a 401). A bearer token that is neither a service key nor a live personal key is refused
 * even if a cookie would do: a revoked key must not quietly fall back.
 */
export async function resolvePrincipal({ headers, queryToken }: Credentials): Promise<Principal | null> {
  if (!accountsEnabled()) return EVERYONE;
  const token = bearerToken(headers.get("authorization") ?? undefined) ?? queryToken ?? null;
  if (token) {
    const keyId = serviceKeys().verify(token);
    if (keyId) return { kind: "service", keyId };
    return personalKeyPrincipal(token);
  }
  if (!cookieMayCount(headers)) return null;
  const cookies = headers.get("cookie");
  if (!cookies) return null;
  const key = cookieKey(cookies);
  const recalled = recallSession(key);
  if (recalled) return { kind: "user", ...recalled };
  const session = await (await auth()).api.getSession({ headers });
  if (!session) return null;
  const user = { userId: session.user.id, admin: (session.user as { role?: string }).role === "admin" };
  rememberSession(key, user);
  return { kind: "user", ...user };
}

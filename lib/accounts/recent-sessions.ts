/**
 * Who a session cookie belongs to, remembered for a few seconds. Better Auth's `getSession`
 * runs its endpoint pipeline and checks two signatures on every call; a browser sends the same
 * cookies on every call, and clients poll.
 *
 * Only cookies Better Auth accepted are remembered, keyed by a hash of the whole Cookie header
 * (its answer depends on nothing else). They are forgotten after REMEMBER_MS, and at once when
 * one of the user's sessions is deleted on this instance (signing out, revoking sessions; the
 * session hook in ./auth.ts calls `forgetUser`). On other instances a deleted session stops
 * counting within REMEMBER_MS, inside the minute that Better Auth's own signed cookie cache
 * already allows.
 */
import { createHash } from "node:crypto";
import { singleton } from "@/lib/singleton";

const REMEMBER_MS = 10_000;
/** Bounds the memory held (about 150 bytes an entry); the oldest go first. */
const MAX_REMEMBERED = 10_000;

export interface SessionUser {
  userId: string;
  admin: boolean;
}

const remembered = () => singleton("accounts.recentSessions", () => new Map<string, SessionUser & { until: number }>());

export const cookieKey = (cookieHeader: string) => createHash("sha256").update(cookieHeader).digest("base64");

/** The user of cookies accepted in the last few seconds, else undefined. */
export function recallSession(key: string): SessionUser | undefined {
  const entry = remembered().get(key);
  if (entry === undefined) return undefined;
  if (entry.until > Date.now()) return { userId: entry.userId, admin: entry.admin };
  remembered().delete(key);
  return undefined;
}

export function rememberSession(key: string, user: SessionUser): void {
  const map = remembered();
  map.delete(key);
  if (map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value!);
  map.set(key, { ...user, until: Date.now() + REMEMBER_MS });
}

/** Every remembered cookie of this user must be checked again. */
export function forgetUser(userId: string): void {
  const map = remembered();
  for (const [key, entry] of map) if (entry.userId === userId) map.delete(key);
}

/**
 * The one rule of ownership: a principal sees a session when it sees everything (auth off, a
 * service key, an admin) or owns it. Anything else is answered as if the session did not exist
 * (404, never 403: whether someone else's chat exists is not yours to learn).
 */
import { sessionOwnerOf } from "@/lib/db/sessions";
import { notFound } from "@/lib/errors";
import { accountsEnabled } from "./auth";
import { type Principal, seesAll } from "./principal";

export function canSee(principal: Principal, ownerId: string | null): boolean {
  return seesAll(principal) || (principal.kind === "user" && ownerId === principal.userId);
}

/** Throws the contract's 404 unless the principal may see the session (free when it sees all). */
export async function requireSessionAccess(principal: Principal, sessionId: string | null): Promise<void> {
  if (seesAll(principal)) return;
  const owner = sessionId === null ? undefined : await sessionOwnerOf(sessionId);
  if (owner === undefined || !canSee(principal, owner)) throw notFound();
}

/**
 * What a new session records about who made it: a user owns it, and its compat `user_id` is
 * the owner's id. Services and auth off leave both as the request says.
 */
export function ownership(principal: Principal): { ownerId?: string; userId?: string } {
  return principal.kind === "user" ? { ownerId: principal.userId, userId: principal.userId } : {};
}

/** With accounts, `user_id` is the owner's id: an update's `user_id` is ignored. */
export const writableUserId = (userId: string | undefined) => (accountsEnabled() ? undefined : userId);

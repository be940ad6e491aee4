/**
 * Personal API keys and share links, the things a person hands out: created on the settings
 * page (a key is shown once; only its hash is kept), revoked there, each checked against its
 * owner so one user cannot revoke or share another's.
 */
import { randomBytes } from "node:crypto";
import { createApiKey, deleteApiKey, listApiKeys } from "@/lib/db/api-keys";
import { requireSessionKey } from "@/lib/db/sessions";
import { createShareLink, deleteShareLink, listShareLinks } from "@/lib/db/share-links";
import { notFound, TandemError } from "@/lib/errors";
import { requireSessionAccess } from "./access";
import { newPersonalKey, ownerScope, type Principal } from "./principal";

const MAX_KEYS = 20;

export async function createPersonalKey(userId: string, name: string) {
  const label = name.trim().slice(0, 64);
  if ((await listApiKeys(userId)).length >= MAX_KEYS) {
    throw new TandemError("bad_request", `You have ${MAX_KEYS} keys; revoke one first.`);
  }
  const { key, prefix, keyHash } = newPersonalKey();
  const row = await createApiKey({ userId, name: label, prefix, keyHash });
  return { ...row, key };
}

export const personalKeys = listApiKeys;

export async function revokePersonalKey(userId: string, id: number): Promise<void> {
  if (!(await deleteApiKey(userId, id))) throw notFound();
}

/** A new read-only link to a session the principal may see: `/s/<token>`. */
export async function shareSession(principal: Principal, sessionId: string) {
  await requireSessionAccess(principal, sessionId);
  const { id } = await requireSessionKey(sessionId);
  return createShareLink(id, randomBytes(24).toString("base64url"));
}

export const shareLinks = (principal: Principal) => listShareLinks(ownerScope(principal));

/** The links of one session the principal may see (404 otherwise), newest first. */
export async function sessionShareLinks(principal: Principal, sessionId: string) {
  await requireSessionAccess(principal, sessionId);
  return listShareLinks(ownerScope(principal), sessionId);
}

export async function revokeShareLink(principal: Principal, id: number): Promise<void> {
  if (!(await deleteShareLink(id, ownerScope(principal)))) throw notFound();
}

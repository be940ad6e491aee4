"use server";

/**
 * The chat header's Share: the open chat's read-only link (one per chat from here; the settings
 * page lists every link), made and revoked for the signed-in person who may see the chat. Each
 * takes a form, as the edge wants server actions sent (multipart; lib/api/edge.ts forward).
 */
import { revokeShareLink, sessionShareLinks, shareSession } from "@/lib/accounts/keys";
import { actingUser } from "@/lib/accounts/next";
import { isTandemError } from "@/lib/errors";

export type ShareState = { link: { id: number; token: string } | null; error?: undefined } | { error: string };

async function attempt(work: () => Promise<{ id: number; token: string } | null>): Promise<ShareState> {
  try {
    const link = await work();
    return { link: link && { id: link.id, token: link.token } };
  } catch (e) {
    return { error: isTandemError(e) || e instanceof Error ? e.message : "Something went wrong." };
  }
}

const sessionOf = (form: FormData) => String(form.get("session_id") ?? "");

/** The chat's newest link, if it has one. */
export async function chatShareLink(form: FormData): Promise<ShareState> {
  return attempt(async () => (await sessionShareLinks(await actingUser(), sessionOf(form)))[0] ?? null);
}

/** The chat's link: the one it has, else a new one. */
export async function shareChat(form: FormData): Promise<ShareState> {
  return attempt(async () => {
    const me = await actingUser();
    return (await sessionShareLinks(me, sessionOf(form)))[0] ?? shareSession(me, sessionOf(form));
  });
}

/** Stops a link (`id`) working; the chat then has none, or an older one made on the settings page. */
export async function unshareChat(form: FormData): Promise<ShareState> {
  return attempt(async () => {
    const me = await actingUser();
    await revokeShareLink(me, Number(form.get("id")) || 0);
    return (await sessionShareLinks(me, sessionOf(form)))[0] ?? null;
  });
}

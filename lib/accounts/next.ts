/**
 * Accounts bound to Next pages: the signed-in user of this request (Better Auth's cookie), and
 * the guard the app's pages run (with accounts: signed in, else to /sign-in and back).
 */
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { isSameOrigin } from "@/lib/request";
import { accountsEnabled, auth } from "./auth";
import type { Principal } from "./principal";

export interface PageUser {
  id: string;
  name: string;
  admin: boolean;
}

export async function currentUser(): Promise<PageUser | null> {
  if (!accountsEnabled()) return null;
  const session = await (await auth()).api.getSession({ headers: await headers() });
  if (!session) return null;
  const user = session.user as typeof session.user & { username?: string | null; role?: string };
  return { id: user.id, name: user.username || user.name || user.email, admin: user.role === "admin" };
}

/** Only app paths, so `?next=` can never send anyone elsewhere. */
export function safeAppNext(next: unknown): string {
  return typeof next === "string" && /^\/(c\/[A-Za-z0-9_-][A-Za-z0-9_.:-]{0,63}|settings)?$/.test(next) ? next : "/";
}

/** With accounts: the signed-in user, or a redirect to sign in (coming back to `path`). Auth off: null. */
export async function requireUserPage(path = "/"): Promise<PageUser | null> {
  if (!accountsEnabled()) return null;
  const user = await currentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(safeAppNext(path))}`);
  return user;
}

/**
 * The person a server action acts for: signed in, posting from this origin (the edge refuses
 * other origins' server actions too). Throws a message the page can show otherwise.
 */
export async function actingUser(): Promise<Principal & { kind: "user" }> {
  if (!isSameOrigin(await headers())) throw new Error("Cross-site request refused.");
  const user = await currentUser();
  if (!user) throw new Error("Your session has ended; sign in again.");
  return { kind: "user", userId: user.id, admin: user.admin };
}

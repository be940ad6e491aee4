/**
 * The admin's auth bound to Next: the session cookie, page guards (every admin page calls
 * requireAdminPage itself; a layout check alone can be skipped by client navigation), and the
 * guard every server action runs first (same origin, signed-in session, CSRF token).
 */
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { TandemError } from "@/lib/errors";
import { CLIENT_ADDRESS_HEADER, isSameOrigin } from "@/lib/request";
import { ADMIN_COOKIE, type AdminSession, csrfValid, secureCookies, sessionFromCookie } from "./auth";

export const CSRF_FIELD = "csrf_token";

export async function currentAdmin(): Promise<AdminSession | null> {
  return sessionFromCookie((await cookies()).get(ADMIN_COOKIE)?.value);
}

/** Only admin paths, so `?next=` can never send anyone elsewhere. */
export function safeNext(next: unknown): string {
  return typeof next === "string" &&
    next.length <= 500 &&
    /^\/admin([/?][A-Za-z0-9_\-./?=&%+:]*)?$/.test(next) &&
    !next.includes("//")
    ? next
    : "/admin";
}

/** The signed-in admin, or a redirect to the login page that comes back to `path`. */
export async function requireAdminPage(path: string): Promise<AdminSession> {
  const admin = await currentAdmin();
  if (!admin) redirect(`/admin/login?next=${encodeURIComponent(safeNext(path))}`);
  return admin;
}

/**
 * For server actions: refuses cross-origin posts, missing or expired sessions, and a missing
 * or wrong CSRF token, before anything is read or written.
 */
export async function requireAdminAction(form: FormData): Promise<AdminSession> {
  if (!isSameOrigin(await headers())) throw new TandemError("unauthorized", "Cross-site request refused.");
  const admin = await currentAdmin();
  if (!admin) throw new TandemError("unauthorized", "Your admin session has ended; sign in again.");
  if (!(await csrfValid(admin, form.get(CSRF_FIELD)))) {
    throw new TandemError(
      "unauthorized",
      "The form's security token is missing or wrong; reload the page and try again.",
    );
  }
  return admin;
}

export async function setSessionCookie(value: string, expiresAt: Date): Promise<void> {
  (await cookies()).set(ADMIN_COOKIE, value, {
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookies(),
    path: "/admin",
    expires: expiresAt,
  });
}

export async function clearSessionCookie(): Promise<void> {
  (await cookies()).set(ADMIN_COOKIE, "", {
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookies(),
    path: "/admin",
    maxAge: 0,
  });
}

/** The client's address as the edge determined it (honouring TANDEM_TRUST_PROXY). */
export async function clientAddress(): Promise<string> {
  return (await headers()).get(CLIENT_ADDRESS_HEADER) ?? "unknown";
}

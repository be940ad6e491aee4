/**
 * Admin authentication, independent of Next: admins (scrypt hashes), logins slowed down after
 * repeated failures, signed server-side sessions (revocable: logout deletes the row), and the
 * CSRF token each session's forms carry. lib/admin/next.ts binds this to cookies and forms.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import * as admins from "@/lib/db/admins";
import { ensureSetting } from "@/lib/db/settings";
import * as users from "@/lib/db/users";
import { env } from "@/lib/env";
import { TandemError } from "@/lib/errors";
import { log } from "@/lib/log";
import { singleton } from "@/lib/singleton";
import {
  csrfTokenFor,
  dummyPasswordHash,
  hashPassword,
  newSessionToken,
  signSessionToken,
  THROTTLE,
  throttleDelayMs,
  tokenHash,
  verifyCsrfToken,
  verifyPassword,
  verifySessionCookie,
} from "./crypto";

export const ADMIN_COOKIE = "tandem_admin";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// 1. The secret key: TANDEM_SECRET_KEY, else one generated once and kept in the database (so
//    every instance sharing the database signs alike, and restarts keep admins signed in)
// ---------------------------------------------------------------------------------------------

export function secretKey(): Promise<string> {
  if (env.TANDEM_SECRET_KEY) return Promise.resolve(env.TANDEM_SECRET_KEY);
  const cached = singleton<{ key?: Promise<string> }>("admin.secret", () => ({}));
  cached.key ??= ensureSetting("secret_key", randomBytes(32).toString("hex")).catch((e) => {
    cached.key = undefined;
    throw e;
  });
  return cached.key;
}

// ---------------------------------------------------------------------------------------------
// 2. Admin accounts
// ---------------------------------------------------------------------------------------------

export const AdminUsernameSchema = z
  .string()
  .trim()
  .min(1, "This field may not be blank.")
  .max(64, "Ensure this field has no more than 64 characters.")
  .regex(/^[A-Za-z0-9_.@+-]+$/, "Use letters, digits and @ . + - _ only.");

export const AdminPasswordSchema = z
  .string()
  .min(10, "Use at least 10 characters.")
  .max(256, "Ensure this field has no more than 256 characters.")
  .refine((p) => !/^\d+$/.test(p), "The password cannot be entirely numeric.");

export const AdminCredentialsSchema = z
  .object({ username: AdminUsernameSchema, password: AdminPasswordSchema })
  .refine((c) => c.password.toLowerCase() !== c.username.toLowerCase(), {
    path: ["password"],
    message: "The password is too similar to the username.",
  });

/**
 * Creates an admin (validated) in the accounts' user system, or with `role: "user"` a plain user;
 * `reset` sets a new password (and the role) for an existing user instead.
 */
export async function createAdmin(input: { username: string; password: string; reset?: boolean; role?: users.Role }) {
  const parsed = AdminCredentialsSchema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[String(issue.path[0] ?? "password")] ??= []).push(issue.message);
    throw new TandemError("bad_request", Object.values(fields).flat().join(" "), { fields });
  }
  const { username, password } = parsed.data;
  const role = input.role ?? "admin";
  const passwordHash = await hashPassword(password);
  const existing = input.reset ? await users.findUserByUsername(username) : null;
  if (existing) {
    await users.setUserPassword(existing.id, passwordHash, role);
    return { user: { ...existing, role, passwordHash }, created: false };
  }
  return { user: await users.createUserWithPassword({ username, passwordHash, role }), created: true };
}

export const adminConfigured = async () => (await admins.countAdminUsers()) > 0;

/** ADMIN_USERNAME + ADMIN_PASSWORD at start: creates that admin if missing (never overwrites). */
export async function bootstrapAdminFromEnv(): Promise<void> {
  const username = env.ADMIN_USERNAME;
  const password = env.ADMIN_PASSWORD;
  if (!username && !password) return;
  if (!username || !password) {
    log.warn("set both ADMIN_USERNAME and ADMIN_PASSWORD to create an admin at start; skipped");
    return;
  }
  if (await admins.findAdminUser(username.trim())) return;
  try {
    await createAdmin({ username, password });
    log.info({ username }, "created admin from ADMIN_USERNAME/ADMIN_PASSWORD");
  } catch (e) {
    // Another instance starting at the same moment may have created it first.
    if (await admins.findAdminUser(username.trim())) return;
    throw new Error(`ADMIN_USERNAME/ADMIN_PASSWORD: ${e instanceof Error ? e.message : e}`);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Login, throttled per username from a client address and per address (crypto.ts, THROTTLE)
// ---------------------------------------------------------------------------------------------

export type LoginResult =
  | { ok: true; cookieValue: string; expiresAt: Date; username: string }
  | { ok: false; error: string; retryAfterSeconds?: number };

const WRONG = "Wrong username or password.";
const waitMessage = (seconds: number) =>
  `Too many failed sign-in attempts. Try again in ${seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`;

export async function login(input: {
  username: string;
  password: string;
  clientAddress: string;
}): Promise<LoginResult> {
  const username = input.username.trim();
  if (!username || !input.password || username.length > 64 || input.password.length > 256) {
    return { ok: false, error: WRONG };
  }
  const addressKey = `ip:${input.clientAddress.slice(0, 100) || "unknown"}`;
  const attemptKey = `${addressKey} user:${username.toLowerCase()}`;
  const now = Date.now();
  const blocked = (await admins.loginThrottles([attemptKey, addressKey]))
    .map((t) => t.blockedUntil?.getTime() ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);
  if (blocked > now) {
    const seconds = Math.ceil((blocked - now) / 1000);
    return { ok: false, error: waitMessage(seconds), retryAfterSeconds: seconds };
  }

  const user = await admins.findAdminUser(username);
  let valid = false;
  if (user) {
    valid = await verifyPassword(input.password, user.passwordHash ?? (await dummyPasswordHash()));
  } else {
    // Same work as a real check, so an unknown name takes as long as a wrong password.
    await verifyPassword(input.password, await dummyPasswordHash());
  }
  if (!valid || !user) {
    const [perAttempt, perAddress] = await Promise.all([
      admins.recordLoginFailure(attemptKey, {
        windowMs: THROTTLE.windowMs,
        delayMs: (n) => throttleDelayMs(n, THROTTLE.freePerUsernameAndAddress),
      }),
      admins.recordLoginFailure(addressKey, {
        windowMs: THROTTLE.windowMs,
        delayMs: (n) => throttleDelayMs(n, THROTTLE.freePerAddress),
      }),
    ]);
    log.warn({ username, clientAddress: input.clientAddress, failures: perAttempt.failures }, "admin sign-in failed");
    const until = Math.max(perAttempt.blockedUntil?.getTime() ?? 0, perAddress.blockedUntil?.getTime() ?? 0);
    if (until > Date.now()) {
      const seconds = Math.ceil((until - Date.now()) / 1000);
      return { ok: false, error: `${WRONG} ${waitMessage(seconds)}`, retryAfterSeconds: seconds };
    }
    return { ok: false, error: WRONG };
  }

  await admins.clearLoginThrottles([attemptKey, addressKey]);
  const token = newSessionToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await admins.createAdminSession({ userId: user.id, tokenHash: tokenHash(token), expiresAt });
  log.info({ username }, "admin signed in");
  return { ok: true, cookieValue: signSessionToken(token, await secretKey()), expiresAt, username: user.username };
}

// ---------------------------------------------------------------------------------------------
// 4. Sessions and CSRF
// ---------------------------------------------------------------------------------------------

export interface AdminSession {
  userId: string;
  username: string;
  /** The token the session's forms must send back. */
  csrfToken: string;
  expiresAt: Date;
  /** The raw session token (never rendered). */
  token: string;
}

/** The signed-in admin for a cookie value, else null (unsigned, forged, expired, logged out). */
export async function sessionFromCookie(cookieValue: string | undefined): Promise<AdminSession | null> {
  const secret = await secretKey();
  const token = verifySessionCookie(cookieValue, secret);
  if (!token) return null;
  const session = await admins.findAdminSession(tokenHash(token));
  if (!session) return null;
  return {
    userId: session.userId,
    username: session.username,
    csrfToken: csrfTokenFor(token, secret),
    expiresAt: session.expiresAt,
    token,
  };
}

export async function csrfValid(session: AdminSession, submitted: unknown): Promise<boolean> {
  return verifyCsrfToken(session.token, submitted, await secretKey());
}

export async function logout(cookieValue: string | undefined): Promise<void> {
  const token = verifySessionCookie(cookieValue, await secretKey());
  if (token) await admins.deleteAdminSession(tokenHash(token));
}

/** Whether admin cookies carry `Secure` (TANDEM_ADMIN_SECURE_COOKIE; "auto": in production). */
export const secureCookies = () =>
  env.TANDEM_ADMIN_SECURE_COOKIE === "auto" ? env.NODE_ENV === "production" : env.TANDEM_ADMIN_SECURE_COOKIE === "true";

/** Admins' signed-in sessions and sign-in throttling (in the database, so it holds across instances). */
import { db, retryWhenBusy } from "./connection";
import { findUserByUsername, type UserWithPassword } from "./users";

/** Admins are users with the admin role (lib/db/users.ts); these are their sign-ins to /admin. */
export function countAdminUsers(): Promise<number> {
  return db().user.count({ where: { role: "admin" } });
}

/** The admin of this username (with their password hash), else null. */
export async function findAdminUser(username: string): Promise<UserWithPassword | null> {
  const user = await findUserByUsername(username);
  return user?.role === "admin" ? user : null;
}

export async function createAdminSession(input: { userId: string; tokenHash: string; expiresAt: Date }) {
  const now = new Date();
  await db().$transaction([
    db().adminSession.create({ data: input }),
    // Expired sessions go whenever someone signs in; no timer needed.
    db().adminSession.deleteMany({ where: { expiresAt: { lt: now } } }),
  ]);
}

/** The live session of this token hash whose user is still an admin, else null. */
export async function findAdminSession(tokenHash: string) {
  const session = await db().adminSession.findUnique({ where: { tokenHash }, include: { user: true } });
  if (!session || session.expiresAt.getTime() <= Date.now() || session.user.role !== "admin") return null;
  return { ...session, username: session.user.displayUsername ?? session.user.username ?? session.user.email };
}

export async function deleteAdminSession(tokenHash: string): Promise<void> {
  await db().adminSession.deleteMany({ where: { tokenHash } });
}

export function loginThrottles(keys: string[]) {
  return db().adminLoginThrottle.findMany({ where: { key: { in: keys } } });
}

/**
 * Counts one failed login against `key`: failures older than `windowMs` are forgotten; the
 * caller's policy turns the count into a wait (`blockedUntil`).
 */
export async function recordLoginFailure(
  key: string,
  policy: { windowMs: number; delayMs: (failures: number) => number },
): Promise<{ failures: number; blockedUntil: Date | null }> {
  return retryWhenBusy(() =>
    db().$transaction(async (tx) => {
      const now = new Date();
      const row = await tx.adminLoginThrottle.findUnique({ where: { key } });
      const fresh = !row || now.getTime() - row.windowStartedAt.getTime() > policy.windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const delay = policy.delayMs(failures);
      const blockedUntil = delay > 0 ? new Date(now.getTime() + delay) : null;
      const data = { failures, blockedUntil, windowStartedAt: fresh ? now : row.windowStartedAt };
      await tx.adminLoginThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
      return { failures, blockedUntil };
    }),
  );
}

export async function clearLoginThrottles(keys: string[]): Promise<void> {
  await db().adminLoginThrottle.deleteMany({ where: { key: { in: keys } } });
}

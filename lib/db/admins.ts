/** Admins, their signed-in sessions, and sign-in throttling (in the database, so it holds across instances). */
import type { Prisma } from "@/generated/sqlite/client";
import { fieldError, notFound } from "@/lib/errors";
import { db, retryWhenBusy } from "./connection";
import { isUniqueViolation } from "./orm";

export type AdminUserRow = Prisma.AdminUserGetPayload<object>;

export function countAdminUsers(): Promise<number> {
  return db().adminUser.count({ where: { isActive: true } });
}

export function findAdminUser(username: string): Promise<AdminUserRow | null> {
  return db().adminUser.findUnique({ where: { username } });
}

export async function createAdminUser(input: { username: string; passwordHash: string }): Promise<AdminUserRow> {
  try {
    return await retryWhenBusy(() => db().adminUser.create({ data: input }));
  } catch (e) {
    if (isUniqueViolation(e)) throw fieldError("username", "An admin with this username already exists.");
    throw e;
  }
}

/** Sets a new password and signs the admin out everywhere. */
export async function setAdminPassword(username: string, passwordHash: string): Promise<AdminUserRow> {
  const user = await findAdminUser(username);
  if (!user) throw notFound();
  const [updated] = await db().$transaction([
    db().adminUser.update({ where: { id: user.id }, data: { passwordHash, isActive: true } }),
    db().adminSession.deleteMany({ where: { userId: user.id } }),
  ]);
  return updated;
}

export async function createAdminSession(input: { userId: number; tokenHash: string; expiresAt: Date }) {
  const now = new Date();
  await db().$transaction([
    db().adminSession.create({ data: input }),
    db().adminUser.update({ where: { id: input.userId }, data: { lastLoginAt: now } }),
    // Expired sessions go whenever someone signs in; no timer needed.
    db().adminSession.deleteMany({ where: { expiresAt: { lt: now } } }),
  ]);
}

/** The live session of this token hash with its (active) admin, else null. */
export async function findAdminSession(tokenHash: string) {
  const session = await db().adminSession.findUnique({ where: { tokenHash }, include: { user: true } });
  if (!session || session.expiresAt.getTime() <= Date.now() || !session.user.isActive) return null;
  return session;
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

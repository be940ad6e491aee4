/**
 * Accounts' users as Tandem reads and writes them outside Better Auth: counts (the first user
 * becomes admin), people made from the command line (npm run admin:create) with a password in
 * Better Auth's credential account, and the lookups the admin sign-in needs.
 */
import { randomBytes } from "node:crypto";
import { fieldError, notFound } from "@/lib/errors";
import { db, retryWhenBusy } from "./connection";
import { isUniqueViolation } from "./orm";

export type Role = "admin" | "user";

/** Better Auth's account row for a password (the others are single sign-on providers). */
export const CREDENTIAL_PROVIDER = "credential";

export interface UserWithPassword {
  id: string;
  username: string;
  role: string;
  passwordHash: string | null;
}

export const countUsers = () => db().user.count();

/** Ids in Better Auth's style: 32 letters and digits. */
const newUserId = () => randomBytes(24).toString("base64url").replace(/[-_]/g, "").slice(0, 32).padEnd(32, "0");

/** The user of a (case-insensitive) username, with their password hash if they have one. */
export async function findUserByUsername(username: string): Promise<UserWithPassword | null> {
  const user = await db().user.findUnique({
    where: { username: username.trim().toLowerCase() },
    include: { accounts: { where: { providerId: CREDENTIAL_PROVIDER }, select: { password: true } } },
  });
  if (!user) return null;
  return {
    id: user.id,
    username: user.displayUsername ?? user.username ?? user.email,
    role: user.role,
    passwordHash: user.accounts[0]?.password ?? null,
  };
}

/** A user with a password, made outside sign-up (by an admin, or at start from ADMIN_USERNAME). */
export async function createUserWithPassword(input: {
  username: string;
  passwordHash: string;
  role: Role;
  email?: string;
}): Promise<UserWithPassword> {
  const id = newUserId();
  const username = input.username.trim();
  try {
    await retryWhenBusy(() =>
      db().user.create({
        data: {
          id,
          name: username,
          email: (input.email ?? `${id}@users.invalid`).toLowerCase(),
          username: username.toLowerCase(),
          displayUsername: username,
          role: input.role,
          accounts: {
            create: { id: newUserId(), accountId: id, providerId: CREDENTIAL_PROVIDER, password: input.passwordHash },
          },
        },
      }),
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw fieldError("username", "A user with this username already exists.");
    throw e;
  }
  return { id, username, role: input.role, passwordHash: input.passwordHash };
}

/** Sets a new password (and role), ending the user's admin sign-ins and app sessions. */
export async function setUserPassword(userId: string, passwordHash: string, role: Role): Promise<void> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { id: true } });
  if (!user) throw notFound();
  await db().$transaction([
    db().user.update({ where: { id: userId }, data: { role } }),
    db().account.deleteMany({ where: { userId, providerId: CREDENTIAL_PROVIDER } }),
    db().account.create({
      data: { id: newUserId(), accountId: userId, providerId: CREDENTIAL_PROVIDER, userId, password: passwordHash },
    }),
    db().adminSession.deleteMany({ where: { userId } }),
    db().session.deleteMany({ where: { userId } }),
  ]);
}

/** The fields a principal needs, by id (null when the user is gone). */
export function findUserRole(userId: string) {
  return db().user.findUnique({ where: { id: userId }, select: { id: true, role: true } });
}

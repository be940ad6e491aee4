/** Personal API keys: stored as a SHA-256 of the key, listed by their prefix, revoked by deletion. */
import { db } from "./connection";

export function createApiKey(input: { userId: string; name: string; prefix: string; keyHash: string }) {
  return db().apiKey.create({ data: input, select: { id: true, name: true, prefix: true, createdAt: true } });
}

export function listApiKeys(userId: string) {
  return db().apiKey.findMany({
    where: { userId },
    orderBy: { id: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true },
  });
}

/** Deletes one of the user's keys; false when it is not theirs (or gone). */
export async function deleteApiKey(userId: string, id: number): Promise<boolean> {
  const { count } = await db().apiKey.deleteMany({ where: { id, userId } });
  return count > 0;
}

/** The key of this hash with its user's id and role, else null. */
export function findApiKey(keyHash: string) {
  return db().apiKey.findUnique({
    where: { keyHash },
    select: { id: true, lastUsedAt: true, user: { select: { id: true, role: true } } },
  });
}

export async function touchApiKey(id: number): Promise<void> {
  await db().apiKey.updateMany({ where: { id }, data: { lastUsedAt: new Date() } });
}

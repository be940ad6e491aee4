/** Personal API keys: stored as a SHA-256 of the key, listed by their prefix, revoked by deletion. */
import { db, sql } from "./connection";
import { dateOrNull } from "./sql";

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

/**
 * The key of this hash with its user's id and role, else null. Asked on every request made with
 * a personal key: plain SQL (./sql.ts).
 */
export async function findApiKey(keyHash: string) {
  const [row] = await sql().all<{ id: number; last_used_at: unknown; user_id: string; role: string }>(
    `SELECT k.id, k.last_used_at, u.id AS user_id, u.role
       FROM api_key k JOIN auth_user u ON u.id = k.user_id
      WHERE k.key_hash = ?`,
    [keyHash],
  );
  return row === undefined
    ? null
    : { id: row.id, lastUsedAt: dateOrNull(row.last_used_at), user: { id: row.user_id, role: row.role } };
}

export async function touchApiKey(id: number): Promise<void> {
  await db().apiKey.updateMany({ where: { id }, data: { lastUsedAt: new Date() } });
}

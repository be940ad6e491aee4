/** Settings kept in the database (such as the generated secret key), and the readiness probe's write. */
import { db, retryWhenBusy } from "./connection";
import { databaseErrorMessage, isUniqueViolation } from "./orm";

export async function getSetting(key: string): Promise<string | null> {
  return (await db().appSetting.findUnique({ where: { key } }))?.value ?? null;
}

/** Stores `value` unless the key is already set; returns the stored value (first writer wins). */
export async function ensureSetting(key: string, value: string): Promise<string> {
  try {
    await retryWhenBusy(() => db().appSetting.create({ data: { key, value } }));
    return value;
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return (await getSetting(key)) ?? value;
  }
}

/**
 * Readiness of the data layer: one committed write, since a database that answers reads but
 * refuses writes (full disk, read-only replica or mode) cannot store a message.
 */
export async function probeDatabaseWrite(): Promise<void> {
  const value = new Date().toISOString();
  try {
    await db().appSetting.upsert({
      where: { key: "ready_probe" },
      create: { key: "ready_probe", value },
      update: { value },
    });
  } catch (e) {
    throw new Error(`cannot write: ${databaseErrorMessage(e)}`);
  }
}

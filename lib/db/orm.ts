/**
 * The ORM's conventions the data functions share (lib/db only): JSON column values and the
 * Prisma error codes they translate into Tandem's errors.
 */
import { Prisma } from "../../generated/sqlite/client.ts";

export type Json = Prisma.InputJsonValue | null;

/** A JSON column's value: `null` is stored as SQL NULL, `undefined` leaves the column alone. */
export const json = (value: Json | undefined) =>
  value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue | undefined);

const codeOf = (e: unknown) => (e instanceof Error && "code" in e ? String((e as { code: unknown }).code) : "");

export const isUniqueViolation = (e: unknown) => codeOf(e) === "P2002";
export const isForeignKeyViolation = (e: unknown) => ["P2003", "P2014"].includes(codeOf(e));
/** The row to update or delete does not exist. */
export const isMissingRow = (e: unknown) => codeOf(e) === "P2025";

/**
 * A failed query in the database's own words: the driver's message when Prisma kept it (Prisma
 * files a trigger's or a full disk's refusal under a generic kind), else the last line of
 * Prisma's message (the lines before it quote the calling code).
 */
export function databaseMessage(e: unknown): string {
  const meta = (e as { meta?: { driverAdapterError?: { cause?: { originalMessage?: unknown } } } } | null)?.meta;
  const original = meta?.driverAdapterError?.cause?.originalMessage;
  if (typeof original === "string" && original) return original;
  const lines = (e instanceof Error ? e.message : String(e)).split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? "unknown error";
}

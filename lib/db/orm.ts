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

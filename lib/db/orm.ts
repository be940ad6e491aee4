/**
 * The ORM's conventions the data functions share (lib/db only): JSON column values, the Prisma
 * error codes they translate into Tandem's errors, the database's own words for a failure,
 * chunked relation reads, and the lists' paging and text filter.
 */
import { Prisma } from "@/generated/sqlite/client";
import { env } from "@/lib/env";
import { fieldError, notFound } from "@/lib/errors";
import { driverError, isPostgresUrl, retryWhenBusy } from "./connection";

export type Json = Prisma.InputJsonValue | null;

/** A JSON column's value: `null` is stored as SQL NULL, `undefined` leaves the column alone. */
export const json = (value: Json | undefined) =>
  value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue | undefined);

const codeOf = (e: unknown) => (e instanceof Error && "code" in e ? String((e as { code: unknown }).code) : "");

export const isUniqueViolation = (e: unknown) => codeOf(e) === "P2002";
export const isForeignKeyViolation = (e: unknown) => ["P2003", "P2014"].includes(codeOf(e));
/** The row to update or delete does not exist. */
export const isMissingRow = (e: unknown) => codeOf(e) === "P2025";

/** The database's own words for a failed query, without Prisma's call-site preamble. */
export function databaseErrorMessage(e: unknown): string {
  const said = driverError(e)?.originalMessage;
  if (said) return said;
  const lines = (e instanceof Error ? e.message : String(e)).split("\n").filter((line) => line.trim());
  return lines.at(-1)?.trim() ?? "unknown database error";
}

/**
 * Ids per `IN (...)` list. The ORM splits most relation reads into chunks by itself, but not the
 * ordered ones (a to-many relation with `orderBy`), and SQLite takes at most 999 bind values.
 */
const IDS_PER_READ = 500;

/** The children of `parentIds`, read in bounded chunks, grouped by parent (each group in read order). */
export async function readChildren<T>(
  parentIds: number[],
  read: (chunk: number[]) => Promise<T[]>,
  parentOf: (row: T) => number,
): Promise<Map<number, T[]>> {
  const byParent = new Map<number, T[]>();
  for (let i = 0; i < parentIds.length; i += IDS_PER_READ) {
    for (const row of await read(parentIds.slice(i, i + IDS_PER_READ))) {
      const group = byParent.get(parentOf(row));
      if (group) group.push(row);
      else byParent.set(parentOf(row), [row]);
    }
  }
  return byParent;
}

export interface Page {
  limit?: number;
  offset?: number;
}

export const postgres = () => isPostgresUrl(env.DATABASE_URL);

export interface AdminPage {
  limit: number;
  offset: number;
}

/**
 * Case-insensitive substring filter on both providers: SQLite's LIKE ignores ASCII case,
 * PostgreSQL needs `mode: "insensitive"` (ILIKE), which the SQLite client's types lack.
 */
export function containsText(q: string): Prisma.StringFilter {
  return (postgres() ? { contains: q, mode: "insensitive" } : { contains: q }) as Prisma.StringFilter;
}

/** A unique name taken: the admin form's field error (anything else passes through). */
export const uniqueName = (e: unknown, what: string) =>
  isUniqueViolation(e) ? fieldError("name", `${what} with this name already exists.`) : e;
export const missing = (e: unknown) => (isMissingRow(e) ? notFound() : e);

/** A concurrent start of another instance may create the same row first; that is fine. */
export async function ignoreDuplicate(write: () => Promise<unknown>): Promise<void> {
  try {
    await retryWhenBusy(write);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
}

export const newestFirst = [{ createdAt: "desc" }, { id: "desc" }] as const;

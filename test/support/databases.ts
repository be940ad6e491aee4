/**
 * Throwaway databases for tests.
 *
 * - freshSqliteUrl(): a `file:` URL in a new temp folder (removed when the process exits).
 * - freshPostgresUrl(): a new, uniquely named database on the server at TANDEM_TEST_PG_URL
 *   (default postgresql://postgres@127.0.0.1:5432/postgres), or null when that server cannot
 *   be reached. Call drop() when done.
 * - requireServices(): TANDEM_REQUIRE_SERVICES=1 turns "service unreachable" from a skip into a
 *   failure, so CI cannot pass by skipping.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export const TEST_PG_URL = process.env.TANDEM_TEST_PG_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

export function requireServices(): boolean {
  return process.env.TANDEM_REQUIRE_SERVICES === "1";
}

const tempDirs: string[] = [];
process.once("exit", () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export async function freshSqliteUrl(label = "test"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `tandem-${slug(label)}-`));
  tempDirs.push(dir);
  return `file:${path.join(dir, "test.db")}`;
}

export interface FreshPostgres {
  url: string;
  /** Drops the database, closing any connections still open on it. */
  drop(): Promise<void>;
}

export async function freshPostgresUrl(label = "test"): Promise<FreshPostgres | null> {
  const admin = await connectAdmin();
  if (!admin) return null;
  const database = `tandem_test_${slug(label)}_${randomBytes(4).toString("hex")}`.slice(0, 63);
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = await connectAdmin();
      if (!client) throw new Error(`PostgreSQL went away; could not drop test database ${database}`);
      try {
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A connected client on TEST_PG_URL, or null when the server is unreachable. */
async function connectAdmin(): Promise<pg.Client | null> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  client.on("error", () => {}); // a server dying mid-test must not crash the runner
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    if (isUnreachable(error)) return null;
    throw error;
  }
}

const UNREACHABLE_CODES = new Set([
  ...["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"],
  "57P03", // the database system is starting up or shutting down
]);

/** Connection-level failures (nothing listening, DNS, timeout), not auth or SQL errors. */
function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code && UNREACHABLE_CODES.has(code)) return true;
  return /timeout|Connection terminated/i.test(error instanceof Error ? error.message : "");
}

function slug(label: string): string {
  return (
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 30) || "test"
  );
}

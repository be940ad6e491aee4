/**
 * Readiness means "can store a message": `/api/ready/` answers 503 with the reason while the
 * database refuses writes, though it still answers reads; `/api/health/` stays 200 throughout.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { sqliteFile } from "@/lib/db/connection";
import { type ApiAnswer, apiClient, eventually } from "./support/api";
import { type FreshPostgres, freshPostgresUrl, freshSqliteUrl, requireServices } from "./support/databases";
import { startServer, type TandemServer } from "./support/server";

/** Polls `/api/ready/` until it answers `status` (and, when not ready, the database's reason). */
async function awaitReadiness(server: TandemServer, status: 200 | 503, reason?: RegExp) {
  const api = apiClient(server.url);
  let last: ApiAnswer | undefined;
  await eventually(async () => {
    last = await api("GET", "/api/ready/");
    const matches = last.status === status && (!reason || reason.test(last.json.checks.database.error));
    return matches ? true : undefined;
  }, 30_000).catch(() => assert.fail(`ready answered ${last?.status} ${last?.text}`));
  assert.deepEqual([last!.json.ok, last!.json.checks.database.ok], [status === 200, status === 200]);
  const health = await api("GET", "/api/health/");
  assert.deepEqual([health.status, health.json], [200, { message: "Server is up!" }]);
}

describe("readiness on SQLite", () => {
  let server: TandemServer;
  before(async () => {
    server = await startServer({ databaseUrl: await freshSqliteUrl("ready") });
  });
  after(() => server?.stop());

  test("not ready while another process holds the write lock; ready once it lets go", async () => {
    await awaitReadiness(server, 200);
    const holder = new Database(sqliteFile(server.databaseUrl));
    holder.exec("BEGIN EXCLUSIVE");
    try {
      // The probe waits out SQLite's busy timeout (5 s), then reports the lock.
      await awaitReadiness(server, 503, /^cannot write: database is locked$/);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    await awaitReadiness(server, 200);
  });
});

describe("readiness on PostgreSQL", () => {
  let database: FreshPostgres | null;
  let server: TandemServer;
  let admin: pg.Client;
  before(async () => {
    database = await freshPostgresUrl("ready");
    if (!database) {
      if (requireServices()) throw new Error("PostgreSQL is required (TANDEM_REQUIRE_SERVICES=1) but unreachable");
      return;
    }
    server = await startServer({ databaseUrl: database.url });
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await server?.stop();
    await database?.drop();
  });

  /** Read-only for connections opened from now on; the server's open ones are closed. */
  async function setReadOnly(on: boolean) {
    const name = new URL(database!.url).pathname.slice(1);
    await admin.query(`ALTER DATABASE "${name}" SET default_transaction_read_only = ${on ? "on" : "off"}`);
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    );
  }

  test("not ready while the database is read-only; reads still work; ready again after", async (t) => {
    if (!database) return t.skip("PostgreSQL is unreachable");
    await awaitReadiness(server, 200);
    await setReadOnly(true);
    try {
      await awaitReadiness(server, 503, /^cannot write: .*read-only transaction/);
      const api = apiClient(server.url);
      assert.equal((await api("GET", "/api/sessions/")).status, 200, "reads are still answered");
    } finally {
      await setReadOnly(false);
    }
    await awaitReadiness(server, 200);
  });
});

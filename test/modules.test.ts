/**
 * A process loads only what its configuration uses: the configured database's generated Prisma
 * client and driver adapter (not the other's), no Redis client without REDIS_URL, and no Next
 * compiler in a production start. Checked from the outside: test/support/module-log.mjs records
 * every module a child process loads.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { startServer } from "./support/server";

const HOOK = path.resolve("test/support/module-log.mjs");
const logFile = () => path.join(mkdtempSync(path.join(tmpdir(), "tandem-modules-")), "modules.log");
const loaded = (file: string) => [...new Set(readFileSync(file, "utf8").split("\n").filter(Boolean))];

/** The modules a child loads when it makes the app's database client for `databaseUrl`. */
function modulesForDatabase(databaseUrl: string): string[] {
  const log = logFile();
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", HOOK, "-e", 'const { db } = await import("@/lib/db/connection"); db();'],
    { env: { ...process.env, DATABASE_URL: databaseUrl, TANDEM_MODULE_LOG: log }, encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  return loaded(log);
}

const has = (modules: string[], part: string) => modules.some((m) => m.includes(part));

test("on SQLite, the SQLite client and driver are loaded, the PostgreSQL ones never", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tandem-modules-db-"));
  const modules = modulesForDatabase(`file:${path.join(dir, "test.db")}`);
  assert.ok(has(modules, "/generated/sqlite/client"), "the SQLite client");
  assert.ok(has(modules, "/@prisma/adapter-better-sqlite3/"), "its driver adapter");
  assert.ok(!has(modules, "/generated/postgres/"), "no PostgreSQL client");
  assert.ok(!has(modules, "/@prisma/adapter-pg/"), "no PostgreSQL adapter");
  assert.ok(!has(modules, "/node_modules/pg/"), "no PostgreSQL driver");
});

test("on PostgreSQL, the PostgreSQL client and driver are loaded, the SQLite ones never", () => {
  // Making the client does not connect, so no server is needed.
  const modules = modulesForDatabase("postgresql://postgres@127.0.0.1:5432/tandem_modules_check");
  assert.ok(has(modules, "/generated/postgres/client"), "the PostgreSQL client");
  assert.ok(has(modules, "/@prisma/adapter-pg/"), "its driver adapter");
  assert.ok(!has(modules, "/generated/sqlite/"), "no SQLite client");
  assert.ok(!has(modules, "/@prisma/adapter-better-sqlite3/"), "no SQLite adapter");
});

test("a production server on SQLite without Redis never loads the PostgreSQL driver, Redis or Next's compiler", async () => {
  const log = logFile();
  const server = await startServer({ env: { NODE_OPTIONS: `--import ${HOOK}`, TANDEM_MODULE_LOG: log } });
  try {
    const session = await (await fetch(`${server.url}/api/sessions/`, { method: "POST" })).json();
    const send = await fetch(`${server.url}/api/sessions/${session.session_id}/send/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content: "How do tides work?" }),
    });
    assert.equal(send.status, 200, await send.text());
    assert.equal((await fetch(`${server.url}/api/sessions/${session.session_id}/state/`)).status, 200);
  } finally {
    assert.equal(await server.stop(), 0, server.output());
  }
  const modules = loaded(log);
  assert.ok(has(modules, "/@prisma/adapter-better-sqlite3/"), "the log sees the SQLite adapter");
  assert.ok(!has(modules, "/@prisma/adapter-pg/"), "no PostgreSQL adapter");
  assert.ok(!has(modules, "/node_modules/pg/"), "no PostgreSQL driver");
  assert.ok(!has(modules, "/node_modules/ioredis/"), "no Redis client");
  assert.ok(!has(modules, "next-swc"), "no SWC compiler (next.config.ts is not compiled at start)");
  // Next's route bundles hold the generated clients in chunks of their own, loaded when imported.
  const chunks = modules.filter((m) => m.includes("/chunks/") && m.endsWith(".js"));
  assert.ok(chunks.length > 0, "route chunks were loaded");
  for (const chunk of chunks) assert.ok(!readFileSync(chunk, "utf8").includes("generated/postgres/"), chunk);
});

/**
 * The committed migrations (prisma/<provider>/migrations) apply cleanly to an empty database,
 * are recorded like `prisma migrate deploy` records them, and produce exactly the schema that
 * schema.prisma describes, for SQLite and PostgreSQL. Also proves the drift check can fail.
 *
 *   node --import tsx --test test/migrations.test.ts
 *
 * PostgreSQL: TANDEM_TEST_PG_URL (default local server); skipped when unreachable unless
 * TANDEM_REQUIRE_SERVICES=1.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { type TestContext, test } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import {
  createMigration,
  deployMigrations,
  migrationStatus,
  type Provider,
  providerOf,
  schemaDrift,
} from "@/lib/db/migrate";
import { freshPostgresUrl, freshSqliteUrl, requireServices, TEST_PG_URL } from "./support/databases";

// ─── helpers ────────────────────────────────────────────────────────────────────────────────

interface TestDb {
  url: string;
  /** Runs one SQL statement directly (not through the engine) and returns its rows. */
  sql(text: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

async function sqliteDb(label: string, file = "test.db"): Promise<TestDb> {
  const url = (await freshSqliteUrl(label)).replace(/test\.db$/, file);
  return {
    url,
    async sql(text) {
      const db = new Database(url.replace(/^file:/, ""));
      try {
        const stmt = db.prepare(text);
        if (stmt.reader) return stmt.all() as Record<string, unknown>[];
        stmt.run();
        return [];
      } finally {
        db.close();
      }
    },
    async drop() {}, // the temp folder goes when the process exits
  };
}

/** A fresh PostgreSQL database, or null after skipping (or failing, when services are required). */
async function postgresDb(t: TestContext, label: string): Promise<TestDb | null> {
  const fresh = await freshPostgresUrl(label);
  if (!fresh) {
    const why =
      `PostgreSQL unreachable at ${TEST_PG_URL} ` +
      "(set TANDEM_TEST_PG_URL; with TANDEM_REQUIRE_SERVICES=1 this fails instead of skipping)";
    if (requireServices()) assert.fail(why);
    t.skip(why);
    return null;
  }
  return {
    url: fresh.url,
    async sql(text) {
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    },
    drop: fresh.drop,
  };
}

async function committedMigrations(provider: Provider) {
  const dir = path.join(process.cwd(), "prisma", provider, "migrations");
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(dir, name, "migration.sql"));
      return { name, checksum: createHash("sha256").update(bytes).digest("hex") };
    }),
  );
}

/** createMigration must find nothing to do; if it wrote a migration anyway, remove it and fail. */
async function assertNoPendingSchemaChange(provider: Provider, shadowServerUrl?: string) {
  const saved = process.env.DATABASE_URL;
  if (shadowServerUrl) process.env.DATABASE_URL = shadowServerUrl; // postgres shadow DB goes here
  let created: string | null;
  try {
    created = await createMigration(provider, "unexpected_schema_change");
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
  if (created === null) return;
  const dir = path.join(process.cwd(), "prisma", provider, "migrations", created);
  const sql = await readFile(path.join(dir, "migration.sql"), "utf8");
  await rm(dir, { recursive: true, force: true });
  assert.fail(
    `schema.prisma has changes that prisma/${provider}/migrations lacks; ` +
      `run \`npm run db:migrate:create -- <name>\`. Missing SQL:\n${sql}`,
  );
}

// ─── committed migrations, per provider ─────────────────────────────────────────────────────

async function checkCommittedMigrations(provider: Provider, db: TestDb) {
  const migrations = await committedMigrations(provider);
  const names = migrations.map((m) => m.name);
  assert.ok(names.length > 0, `no migrations committed under prisma/${provider}/migrations`);
  assert.equal(providerOf(db.url), provider);

  const before = await migrationStatus(db.url);
  assert.deepEqual(before.pending, names);
  assert.equal(before.hasMigrationsTable, false);
  assert.equal(before.upToDate, false);

  assert.deepEqual(await deployMigrations(db.url), names, "first deploy applies every migration, in order");
  assert.equal(await schemaDrift(db.url), "", "migrations produce exactly what schema.prisma describes");

  const rows = await db.sql(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count
       FROM _prisma_migrations ORDER BY migration_name`,
  );
  assert.deepEqual(
    rows.map((row) => ({ name: row.migration_name, checksum: row.checksum })),
    migrations,
    "one row per migration, checksum = sha256(migration.sql)",
  );
  for (const row of rows) {
    assert.notEqual(row.finished_at, null, `${row.migration_name} finished`);
    assert.equal(row.rolled_back_at, null);
    assert.equal(Number(row.applied_steps_count), 1);
  }

  assert.deepEqual(await deployMigrations(db.url), [], "second deploy applies nothing");
  const after = await migrationStatus(db.url);
  assert.deepEqual(
    { applied: after.applied, pending: after.pending, failed: after.failed, edited: after.edited },
    { applied: names, pending: [], failed: [], edited: [] },
  );
  assert.equal(after.upToDate, true);
  assert.equal(after.hasMigrationsTable, true);
}

test("sqlite: committed migrations deploy, are recorded, and match schema.prisma", async () => {
  // A folder that does not exist yet: deploy must create it.
  const db = await sqliteDb("migrations", "not/yet/there/tandem.db");
  await checkCommittedMigrations("sqlite", db);
  await assertNoPendingSchemaChange("sqlite");
});

test("postgres: committed migrations deploy, are recorded, and match schema.prisma", async (t) => {
  const db = await postgresDb(t, "migrations");
  if (!db) return;
  try {
    await checkCommittedMigrations("postgres", db);
    await assertNoPendingSchemaChange("postgres", db.url);
  } finally {
    await db.drop();
  }
});

// ─── the checks can fail ────────────────────────────────────────────────────────────────────

test("sqlite: schemaDrift reports an added column and a dropped index", async () => {
  const db = await sqliteDb("drift-column");
  await deployMigrations(db.url);
  await db.sql(`ALTER TABLE "agent" ADD COLUMN "rogue" TEXT`);
  const drift = await schemaDrift(db.url);
  assert.notEqual(drift, "");
  assert.match(drift, /"agent"/);

  const other = await sqliteDb("drift-index");
  await deployMigrations(other.url);
  await other.sql(`DROP INDEX "message_role_idx"`);
  assert.match(await schemaDrift(other.url), /CREATE INDEX "message_role_idx"/);
});

test("sqlite: migrationStatus reports an edited migration", async () => {
  const db = await sqliteDb("edited");
  const [first] = await deployMigrations(db.url);
  await db.sql(`UPDATE _prisma_migrations SET checksum = 'not-the-checksum' WHERE migration_name = '${first}'`);
  const status = await migrationStatus(db.url);
  assert.deepEqual(status.edited, [first]);
  assert.equal(status.upToDate, false);
});

test("postgres: schemaDrift reports an added column", async (t) => {
  const db = await postgresDb(t, "drift");
  if (!db) return;
  try {
    await deployMigrations(db.url);
    await db.sql(`ALTER TABLE "agent" ADD COLUMN "rogue" TEXT`);
    assert.match(await schemaDrift(db.url), /DROP COLUMN "rogue"/);
  } finally {
    await db.drop();
  }
});

/**
 * Offline migrations: Prisma's WebAssembly schema engine driven through the better-sqlite3 and
 * pg driver adapters. It does what `prisma migrate deploy|status|dev --create-only` do, without
 * the native schema engine (which cannot be downloaded here).
 *
 * Loaded by plain Node through tsx (server.ts, scripts/db.ts, tests), never by Next's bundler.
 * Every call builds its own engine and disposes it, and every pool it opened, before it returns.
 * Set DEBUG_MIGRATIONS=1 to see the engine's log lines on stderr.
 */
import { access, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type {
  DiagnoseMigrationHistoryOutput,
  MigrationList,
  SchemaContainer,
  SchemaEngine,
  SchemaFilter,
} from "@prisma/schema-engine-wasm";

// ─── 1. Public types ────────────────────────────────────────────────────────────────────────

export type Provider = "sqlite" | "postgres";

export interface MigrationStatus {
  provider: Provider;
  /** Migration folders committed under prisma/<provider>/migrations, oldest first. */
  migrations: string[];
  /** Committed migrations that the database records as successfully applied. */
  applied: string[];
  /** Committed migrations not applied yet (what `deployMigrations` would apply). */
  pending: string[];
  /** Migrations recorded as failed (started, never finished, not rolled back). */
  failed: string[];
  /** Applied migrations whose migration.sql no longer matches the recorded checksum. */
  edited: string[];
  /** Migrations recorded in the database but missing from the migrations folder. */
  unknown: string[];
  hasMigrationsTable: boolean;
  /** True when nothing is pending, failed, edited or unknown. */
  upToDate: boolean;
}

export function providerOf(url: string): Provider {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgres" : "sqlite";
}

// ─── 2. Public operations ───────────────────────────────────────────────────────────────────

/** `prisma migrate deploy`: applies the committed migrations; returns the names it applied. */
export async function deployMigrations(url: string): Promise<string[]> {
  const provider = providerOf(url);
  if (provider === "sqlite") await ensureSqliteFolder(url);
  const migrationsList = await loadMigrations(provider);
  // The engine locks a SQLite file exclusively (PRAGMA locking_mode=EXCLUSIVE), which fails while
  // another instance has it open; so when every migration is already recorded, leave it be.
  const recorded = await finishedMigrations(url);
  if (migrationsList.migrationDirectories.every((dir) => recorded.has(dir.path))) return [];
  return withEngine(provider, await adapterFactory(url), async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: schemaFilter(provider) });
    return appliedMigrationNames;
  });
}

/** Names recorded as applied in `_prisma_migrations` (none when the table does not exist yet). */
async function finishedMigrations(url: string): Promise<Set<string>> {
  const adapter = await (await adapterFactory(url)).connect();
  try {
    const result = await adapter.queryRaw({
      sql: "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
      args: [],
      argTypes: [],
    });
    return new Set(result.rows.map((row) => String(row[0])));
  } catch {
    return new Set();
  } finally {
    await adapter.dispose();
  }
}

/** `prisma migrate status`, as data. */
export async function migrationStatus(url: string): Promise<MigrationStatus> {
  const provider = providerOf(url);
  const migrationsList = await loadMigrations(provider);
  const migrations = migrationsList.migrationDirectories.map((dir) => dir.path);
  // Opening a missing SQLite file would create it; report everything pending instead.
  const file = provider === "sqlite" ? sqlitePath(url) : undefined;
  const missing = file !== undefined && file !== ":memory:" && !(await exists(file));
  const diagnosis: DiagnoseMigrationHistoryOutput = missing
    ? {
        history: migrations.length ? { diagnostic: "databaseIsBehind", unappliedMigrationNames: migrations } : null,
        failedMigrationNames: [],
        editedMigrationNames: [],
        hasMigrationsTable: false,
      }
    : await withEngine(provider, await adapterFactory(url), (engine) =>
        engine.diagnoseMigrationHistory({
          migrationsList,
          optInToShadowDatabase: false,
          filters: schemaFilter(provider),
        }),
      );
  const history = diagnosis.history;
  const pending =
    history && history.diagnostic !== "migrationsDirectoryIsBehind" ? history.unappliedMigrationNames : [];
  const unknown = history && history.diagnostic !== "databaseIsBehind" ? history.unpersistedMigrationNames : [];
  const failed = diagnosis.failedMigrationNames;
  const notApplied = new Set([...pending, ...failed]);
  return {
    provider,
    migrations,
    applied: migrations.filter((name) => !notApplied.has(name)),
    pending,
    failed,
    edited: diagnosis.editedMigrationNames,
    unknown,
    hasMigrationsTable: diagnosis.hasMigrationsTable,
    upToDate: !history && failed.length === 0 && diagnosis.editedMigrationNames.length === 0,
  };
}

/**
 * `prisma migrate dev --create-only`: diffs the committed migrations against schema.prisma and,
 * when they differ, writes prisma/<provider>/migrations/<UTC timestamp>_<name>/migration.sql
 * (and migration_lock.toml if missing). Returns the new folder name, or null when the schema
 * has no changes. `options.now` lets a caller give both providers the same timestamp.
 *
 * SQLite replays the history in memory; PostgreSQL needs a server to hold a temporary shadow
 * database: DATABASE_URL when it is a PostgreSQL URL, else the local default server.
 */
export async function createMigration(
  provider: Provider,
  name: string,
  options: { now?: Date } = {},
): Promise<string | null> {
  const slug = migrationSlug(name);
  const migrationsList = await loadMigrations(provider);
  const schema = await loadSchema(provider);
  const script = await withEngine(provider, await adapterFactory(shadowServerUrl(provider)), async (engine) => {
    const result = await engine.diff({
      from: { tag: "migrations", ...migrationsList },
      to: { tag: "schemaDatamodel", files: schema },
      script: true,
      exitCode: true,
      filters: schemaFilter(provider),
    });
    return result.exitCode === DIFF_HAS_CHANGES ? (result.stdout ?? "") : null;
  });
  if (script === null) return null;

  const folder = `${utcStamp(options.now ?? new Date())}_${slug}`;
  const last = migrationsList.migrationDirectories.at(-1)?.path;
  if (last && folder.localeCompare(last) <= 0) {
    throw new Error(`${folder} would not sort after the latest migration ${last}; check the clock and retry.`);
  }
  const dir = migrationsDir(provider);
  await mkdir(path.join(dir, folder), { recursive: true });
  await writeFile(path.join(dir, folder, "migration.sql"), script.endsWith("\n") ? script : `${script}\n`);
  if (!(await exists(path.join(dir, LOCKFILE)))) {
    await writeFile(path.join(dir, LOCKFILE), lockfileText(provider));
  }
  return folder;
}

/**
 * The SQL that would bring the live database at `url` to what schema.prisma describes, or ""
 * when they agree. `_prisma_migrations` is ignored, as the engine always does.
 */
export async function schemaDrift(url: string): Promise<string> {
  const provider = providerOf(url);
  const schema = await loadSchema(provider);
  return withEngine(provider, await adapterFactory(url), async (engine) => {
    const result = await engine.diff({
      from: { tag: "schemaDatasource", files: schema, configDir: projectRoot() },
      to: { tag: "schemaDatamodel", files: schema },
      script: true,
      exitCode: true,
      filters: schemaFilter(provider),
    });
    return result.exitCode === DIFF_HAS_CHANGES ? (result.stdout ?? "").trim() : "";
  });
}

// ─── 3. Migrations folder and schema files ──────────────────────────────────────────────────

const LOCKFILE = "migration_lock.toml";
/**
 * Tables the migrations make that the Prisma schema cannot state, the full-text indexes of
 * messages (lib/db/search.ts): on SQLite the FTS5 table and its shadow tables (its content, the
 * view "message_searchable", is not a table; the diff leaves views alone), on PostgreSQL the
 * table of stored tsvectors (named with its schema, as the engine requires there). The engine
 * leaves them out of its diffs (prisma.config.ts says the same to the native CLI, for SQLite).
 */
const EXTERNAL_TABLES: Record<Provider, string[]> = {
  sqlite: ["message_fts", "message_fts_config", "message_fts_data", "message_fts_docsize", "message_fts_idx"],
  postgres: ["public.message_search"],
};
const schemaFilter = (provider: Provider): SchemaFilter => ({
  externalTables: EXTERNAL_TABLES[provider],
  externalEnums: [],
});
const DIFF_HAS_CHANGES = 2;
const DEFAULT_PG_SHADOW_SERVER = "postgresql://postgres@127.0.0.1:5432/test";

const projectRoot = () => process.cwd();
const schemaDir = (provider: Provider) => path.join(projectRoot(), "prisma", provider);
const migrationsDir = (provider: Provider) => path.join(schemaDir(provider), "migrations");

/** The exact text `prisma migrate` writes. */
function lockfileText(provider: Provider): string {
  const name = provider === "postgres" ? "postgresql" : "sqlite";
  return (
    "# Please do not edit this file manually\n" +
    "# It should be added in your version-control system (e.g., Git)\n" +
    `provider = "${name}"\n`
  );
}

/** The MigrationList the Prisma CLI builds (same fields, same sort order). */
async function loadMigrations(provider: Provider): Promise<MigrationList> {
  const baseDir = migrationsDir(provider);
  const lockContent = await readFile(path.join(baseDir, LOCKFILE), "utf8").catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map(async (entry) => ({
        path: entry.name,
        migrationFile: {
          path: "migration.sql",
          content: await readFile(path.join(baseDir, entry.name, "migration.sql"), "utf8").then(
            (value) => ({ tag: "ok" as const, value }),
            (error: Error) => ({ tag: "error" as const, value: error.message }),
          ),
        },
      })),
  );
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    // The engine refuses a history without a lockfile (even an empty one), so supply the text.
    lockfile: { path: LOCKFILE, content: lockContent ?? lockfileText(provider) },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** schema.prisma plus the models it shares (symlinked *.prisma files in the same folder). */
async function loadSchema(provider: Provider): Promise<SchemaContainer[]> {
  const dir = schemaDir(provider);
  const names = (await readdir(dir)).filter((file) => file.endsWith(".prisma")).sort();
  return Promise.all(
    names.map(async (file) => ({
      path: path.relative(projectRoot(), path.join(dir, file)),
      content: await readFile(path.join(dir, file), "utf8"),
    })),
  );
}

function migrationSlug(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 200);
  if (!slug) throw new Error(`Invalid migration name ${JSON.stringify(name)}: use letters, digits and _.`);
  return slug;
}

function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function ensureSqliteFolder(url: string): Promise<void> {
  const file = sqlitePath(url);
  if (file !== ":memory:") await mkdir(path.dirname(file), { recursive: true });
}

/** The file the better-sqlite3 adapter opens: the URL minus `file:`, relative to the cwd. */
function sqlitePath(url: string): string {
  const file = url.replace(/^file:/, "");
  return file === ":memory:" ? file : path.resolve(projectRoot(), file);
}

// ─── 4. The engine ──────────────────────────────────────────────────────────────────────────

type EngineModule = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
let engineModule: Promise<EngineModule> | undefined;

/** Instantiates the wasm once per process (a bundler-style wasm-bindgen build, wired by hand). */
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const bg = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const bgFile = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(path.join(path.dirname(bgFile), "schema_engine_bg.wasm"));
    // Shim: the engine arms timers it never clears (10 s on deploy), holding the process open; unref them.
    const imports: WebAssembly.ModuleImports = { ...(bg as unknown as WebAssembly.ModuleImports) };
    for (const name of Object.keys(imports).filter((key) => key.startsWith("__wbg_setTimeout_"))) {
      imports[name] = (fn: () => void, ms: number) => setTimeout(fn, ms >>> 0).unref();
    }
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": imports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return bg;
  })();
  return engineModule;
}

/**
 * Runs `fn` with a fresh engine over `factory`, then frees the engine and disposes every
 * adapter it opened (pools included). Engine errors that point at a JS error ("External
 * error id#N") are rethrown with that error's message.
 */
async function withEngine<T>(
  provider: Provider,
  factory: SqlMigrationAwareDriverAdapterFactory,
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const tracked = trackAdapters(factory);
  const bound = bindMigrationAwareSqlAdapterFactory(tracked.factory);
  const datamodels = (await loadSchema(provider)).map((file): [string, string] => [file.path, file.content]);
  const log = (line: string) => {
    if (process.env.DEBUG_MIGRATIONS) console.error(`[schema-engine] ${line.trimEnd()}`);
  };
  let engine: SchemaEngine | undefined;
  const keepAlive = setInterval(() => {}, 60_000); // the engine's own timers are unref'd
  try {
    engine = await SchemaEngine.new({ datamodels }, log, bound);
    return await fn(engine);
  } catch (error) {
    throw explainEngineError(error, bound.errorRegistry);
  } finally {
    clearInterval(keepAlive);
    engine?.free();
    await tracked.disposeAll();
  }
}

function explainEngineError(error: unknown, registry: { consumeError(id: number): { error: unknown } | undefined }) {
  const message = error instanceof Error ? error.message : String(error);
  const id = /External error id#(\d+)/.exec(message)?.[1];
  const cause = id === undefined ? undefined : registry.consumeError(Number(id))?.error;
  if (cause === undefined) return error;
  const detail =
    cause instanceof Error ? cause.message : typeof cause === "object" ? JSON.stringify(cause) : String(cause);
  return new Error(`${message}: ${detail}`, { cause });
}

/** Wraps a factory so every adapter it hands out can be disposed (once) at the end. */
function trackAdapters(inner: SqlMigrationAwareDriverAdapterFactory) {
  const open = new Set<SqlDriverAdapter>();
  const track = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const dispose = adapter.dispose.bind(adapter);
    let disposed: Promise<void> | undefined;
    adapter.dispose = () => {
      open.delete(adapter);
      return (disposed ??= dispose());
    };
    open.add(adapter);
    return adapter;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => track(await inner.connect()),
    connectToShadowDb: async () => track(await inner.connectToShadowDb()),
  };
  const disposeAll = async () => {
    await Promise.allSettled([...open].map((adapter) => adapter.dispose()));
  };
  return { factory, disposeAll };
}

// ─── 5. Driver adapters and their shims ─────────────────────────────────────────────────────

/** The PostgreSQL side (adapter-pg, pg) is loaded only for a PostgreSQL URL. */
async function adapterFactory(url: string): Promise<SqlMigrationAwareDriverAdapterFactory> {
  if (providerOf(url) === "sqlite") return sqliteFactory(url);
  return (await import("./migrate-postgres")).postgresFactory(url);
}

function shadowServerUrl(provider: Provider): string {
  if (provider === "sqlite") return ":memory:"; // the history is replayed in an in-memory shadow
  const url = process.env.DATABASE_URL;
  return url && providerOf(url) === "postgres" ? url : DEFAULT_PG_SHADOW_SERVER;
}

function sqliteFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  const inner = new PrismaBetterSqlite3({ url });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: () => inner.connect(),
    // Shim: the shadow DB gets whole migration.sql files via executeRaw; better-sqlite3 refuses several statements.
    connectToShadowDb: async () => {
      const adapter = await inner.connectToShadowDb();
      const executeRaw = adapter.executeRaw.bind(adapter);
      adapter.executeRaw = async (query) => {
        try {
          return await executeRaw(query);
        } catch (error) {
          const multiple = error instanceof Error && /more than one statement/.test(error.message);
          if (!multiple || query.args.length > 0) throw error;
          await adapter.executeScript(query.sql);
          return 0;
        }
      };
      return adapter;
    },
  };
}

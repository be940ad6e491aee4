import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { PrismaClient as SqliteClient } from "@/generated/sqlite/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { singleton } from "@/lib/singleton";
import { postgresSql, type Sql, sqliteConnection } from "./sql";

/**
 * Both generated clients share one model set (prisma/models.prisma), so the app is typed against
 * one of them; each bakes in its own provider and query compiler.
 */
export type Db = SqliteClient;

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** The file of a `file:` SQLite URL, resolved against the working directory (the adapter does). */
export function sqliteFile(url: string): string {
  return resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
}

/** The ORM's client and plain SQL (./sql.ts) on the same connections. */
interface DbHandle {
  client: Db;
  sql: Sql;
  ready: Promise<void>;
}

/**
 * Loads only the configured provider's generated client, driver adapter and driver (the
 * other's stay unloaded), and returns what makes a client for `url`.
 */
async function clientMaker(url: string): Promise<() => Omit<DbHandle, "ready">> {
  if (isPostgresUrl(url)) {
    const [{ PrismaPg }, { PrismaClient }, { default: pg }] = await Promise.all([
      import("@prisma/adapter-pg"),
      import("@/generated/postgres/client"),
      import("pg"),
    ]);
    return () => {
      const pool = new pg.Pool({ connectionString: url, max: env.DATABASE_POOL_SIZE });
      // An idle connection the server closed (a restart, a failover) is replaced on next use.
      pool.on("error", (err) => log.warn({ err }, "an idle database connection failed"));
      const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) }) as unknown as Db;
      return { client, sql: postgresSql(pool, (oid) => pg.types.getTypeParser(oid)) };
    };
  }
  const [{ PrismaBetterSqlite3 }, { PrismaClient }] = await Promise.all([
    import("@prisma/adapter-better-sqlite3"),
    import("@/generated/sqlite/client"),
  ]);
  return () => {
    const file = sqliteFile(url);
    mkdirSync(dirname(file), { recursive: true });
    // WAL lets readers proceed beside the writer; busy_timeout makes concurrent writers wait
    // instead of failing with SQLITE_BUSY; NORMAL is durable across process crashes in WAL mode.
    const { adapterFactory, sql } = sqliteConnection(
      new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 5000 }),
      () => client.$connect(),
    );
    const client = new PrismaClient({ adapter: adapterFactory });
    return { client, sql };
  };
}

const createDb = await clientMaker(env.DATABASE_URL);

const handle = () =>
  singleton<DbHandle>("db", () => {
    const { client, sql } = createDb();
    const ready = isPostgresUrl(env.DATABASE_URL)
      ? Promise.resolve()
      : client
          .$queryRawUnsafe("PRAGMA journal_mode = WAL")
          .then(() => client.$executeRawUnsafe("PRAGMA synchronous = NORMAL"))
          .then(() => undefined);
    return { client, sql, ready };
  });

/** The process's database client (created on first use). */
export function db(): Db {
  return handle().client;
}

/** Plain SQL on the same connection(s), for the run's hot path (see ./sql.ts). */
export function sql(): Sql {
  return handle().sql;
}

/**
 * Resolves once per-connection settings are applied. Every entry point (server, scripts) awaits
 * it before its first query: SQLite refuses `PRAGMA synchronous` inside a transaction.
 */
export function dbReady(): Promise<void> {
  return handle().ready;
}

export async function disconnectDb(): Promise<void> {
  await handle().client.$disconnect();
}

/**
 * SQLite shared by several processes: a transaction that read before it wrote fails with
 * SQLITE_BUSY_SNAPSHOT when another process committed in between (waiting cannot help), so it
 * is run again. Other errors, and PostgreSQL, pass straight through.
 */
export async function retryWhenBusy<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      const cause = driverError(e)?.originalCode;
      if (attempt >= attempts || !cause?.startsWith("SQLITE_BUSY")) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 30));
    }
  }
}

/** What the database driver reported for a failed query (absent for Prisma's own errors). */
export const driverError = (e: unknown) =>
  (e as { meta?: { driverAdapterError?: { cause?: { originalCode?: string; originalMessage?: string } } } }).meta
    ?.driverAdapterError?.cause;

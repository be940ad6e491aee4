/**
 * The PostgreSQL driver adapter of the offline migrations (lib/db/migrate.ts) and its shims,
 * in a module of its own so that a SQLite instance never loads adapter-pg and pg.
 */
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";

type PgConfig = pg.PoolConfig & { host: string; port: number; database: string };

export function postgresFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  const config = pgConfig(url);
  const inner = new PrismaPg(config);
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => wholeScripts(await inner.connect()),
    // Shim: adapter-pg drops its shadow DB before closing its pool (DROP fails, DB leaks); drop it after, WITH (FORCE).
    connectToShadowDb: async () => {
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      await pgAdmin(config, `CREATE DATABASE "${database}"`);
      const adapter = wholeScripts(await new PrismaPg({ ...config, database }).connect());
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        try {
          await dispose();
        } finally {
          await pgAdmin(config, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        }
      };
      return adapter;
    },
  };
}

// Shim: adapter-pg's executeScript splits on every ";" (breaking 'a;b', $$ bodies); send it whole, like native.
function wholeScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] }); // no args: simple protocol, many statements
  };
  return adapter;
}

/** Pool config from a postgres URL (`?host=` and `?sslmode=` honoured, other parameters ignored). */
function pgConfig(url: string): PgConfig {
  const parsed = new URL(url);
  const params = parsed.searchParams;
  const sslmode = params.get("sslmode");
  // Shim: discrete fields, not a connectionString, which in adapter-pg would override the shadow DB's name.
  return {
    host: params.get("host") ?? (decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, "$1") || "localhost"),
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.slice(1)) || "postgres",
    ssl: sslmode && sslmode !== "disable" ? { rejectUnauthorized: sslmode === "verify-full" } : undefined,
    Client: CharAsTextClient,
  };
}

// Shim: the schema describer reads pg_catalog "char" columns (OID 18), which adapter-pg cannot map; call them text.
class CharAsTextClient extends pg.Client {
  // pg's query() has a dozen overloads; this forwards all of them and fixes up the result.
  // biome-ignore lint/suspicious/noExplicitAny: one override must satisfy every pg.Client.query overload, including `query<T extends Submittable>(q: T): T`; only `any` is assignable to all of their return types.
  override query(...args: unknown[]): any {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (error: Error | null, result: unknown) =>
        last(error, error ? result : charAsText(result));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    return returned instanceof Promise ? returned.then(charAsText) : returned;
  }
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

function charAsText<T>(result: T): T {
  for (const item of Array.isArray(result) ? result : [result]) {
    for (const field of (item as { fields?: { dataTypeID: number }[] } | undefined)?.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/** One statement on a short-lived connection to the configured database (no "char" fix-up). */
async function pgAdmin(config: PgConfig, sql: string): Promise<void> {
  const { Client: _client, ...plain } = config;
  const client = new pg.Client(plain);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A describe's server on a fresh database of one provider, shared by the suites defined once and
 * run for each provider (contract, lists, transfer).
 */
import { after, before, test } from "node:test";
import { startServer, type TandemServer } from "./server";

/** A database for one suite: its URL, and how to drop it (PostgreSQL's), or null where unreachable. */
export type SuiteDatabase = () => Promise<{ url: string; drop?: () => Promise<void> } | null>;

/**
 * Starts a server on a fresh database before the describe's tests (`start`, by default a plain
 * server; `prepare` once it is up) and stops it, runs `cleanup`, and drops the database after
 * them. Its tests (`it`) skip, saying why, where the database is not reachable.
 */
export function onFreshServer(
  label: string,
  database: SuiteDatabase,
  hooks: {
    start?: (databaseUrl: string) => Promise<TandemServer>;
    prepare?: (server: TandemServer, databaseUrl: string) => Promise<void>;
    cleanup?: () => Promise<void>;
  } = {},
) {
  let server: TandemServer | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  let skipped: string | undefined;
  before(async () => {
    const db = await database();
    if (!db) {
      skipped = `${label} is not reachable`;
      return;
    }
    dropDb = db.drop;
    server = await (hooks.start ?? ((databaseUrl) => startServer({ databaseUrl })))(db.url);
    await hooks.prepare?.(server, db.url);
  });
  after(async () => {
    await server?.stop();
    await hooks.cleanup?.();
    await dropDb?.();
  });
  return {
    it: (name: string, fn: () => Promise<void>) =>
      test(name, async (t) => {
        if (skipped) return t.skip(skipped);
        await fn();
      }),
    /** The running server (inside a test). */
    server: () => server!,
  };
}

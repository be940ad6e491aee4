/**
 * Plain SQL on the connection the ORM uses, for the run's hot path (lib/db only): a run stores
 * a handful of rows per agent turn, and through the ORM each statement paid its query compiler,
 * its request pipeline and a fresh `prepare` (about 0.3 ms; a run made some 70 of them). Here a
 * statement is prepared once per connection (SQLite) and a turn's writes go in one transaction.
 *
 * Statements are written once for both databases: `?` placeholders (numbered for PostgreSQL),
 * lower-case names, quotes only for keywords (`"order"`). Values are mapped as each database
 * stores them: dates as Prisma writes them (SQLite: ISO text; PostgreSQL: `timestamp(3)` in
 * UTC), booleans as 0/1 on SQLite; a JSON column takes `jsonText(value)` (both parse it).
 */
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from "@prisma/driver-adapter-utils";
import type BetterSqlite3 from "better-sqlite3";
import type { Pool, PoolClient, QueryConfig } from "pg";

export type SqlValue = string | number | boolean | null | Date;
export type SqlRow = Record<string, unknown>;

export interface Sql {
  /** The rows of a query (or of a write with RETURNING). */
  all<T = SqlRow>(text: string, params?: SqlValue[]): Promise<T[]>;
  /** The number of rows a write changed. */
  run(text: string, params?: SqlValue[]): Promise<number>;
  /** `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** A JSON column's value: `null` and `undefined` are SQL NULL (as the ORM stores `DbNull`). */
export const jsonText = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

// ---------------------------------------------------------------------------------------------
// Reading values back as the ORM's rows have them
// ---------------------------------------------------------------------------------------------

export const dateOf = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
export const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : dateOf(v));
export const jsonOf = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : (v ?? null));
export const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

// ---------------------------------------------------------------------------------------------
// SQLite: the ORM's better-sqlite3 connection
// ---------------------------------------------------------------------------------------------

/** The SQLite driver adapter as the ORM uses it, and its connection (a public field of it). */
type SqliteAdapter = SqlDriverAdapter & { client: BetterSqlite3.Database };

const sqliteValue = (v: SqlValue): unknown => {
  if (v instanceof Date) return v.toISOString().replace("Z", "+00:00");
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
};

/**
 * Plain SQL on the ORM's SQLite connection. The ORM connects through `adapterFactory`, which
 * keeps its adapter for plain SQL and adds one rule to it: on one connection a statement sent
 * while a transaction is open joins it (and is rolled back with it), so statements outside
 * transactions, the ORM's and these, wait until the open one ends. (The adapter itself only
 * keeps transactions from overlapping.)
 */
export function sqliteConnection(
  factory: SqlDriverAdapterFactory,
  /** Connects the ORM (plain SQL before its first query). */
  connectOrm: () => Promise<void>,
): { adapterFactory: SqlDriverAdapterFactory; sql: Sql } {
  let connected: Promise<SqliteAdapter> | undefined;
  // The open transaction's end. A statement outside it checks, then runs in the same synchronous
  // step (better-sqlite3 is synchronous), so no transaction can open in between.
  let open: Promise<void> | null = null;
  const gated = (adapter: SqliteAdapter): SqliteAdapter =>
    Object.assign(Object.create(adapter) as SqliteAdapter, {
      async queryRaw(query: SqlQuery) {
        while (open) await open;
        return adapter.queryRaw(query);
      },
      async executeRaw(query: SqlQuery) {
        while (open) await open;
        return adapter.executeRaw(query);
      },
      // The ORM disconnected: plain SQL reconnects it (on a new connection) when next used.
      dispose() {
        connected = undefined;
        return adapter.dispose();
      },
      async startTransaction(isolationLevel?: IsolationLevel) {
        const tx = await adapter.startTransaction(isolationLevel);
        // The adapter's lock is held from here until commit or rollback (after COMMIT/ROLLBACK ran).
        let ended!: () => void;
        open = new Promise<void>((resolve) => (ended = resolve));
        const end = () => {
          open = null;
          ended();
        };
        return Object.assign(Object.create(tx) as Transaction, {
          commit() {
            end();
            return tx.commit();
          },
          rollback() {
            end();
            return tx.rollback();
          },
        });
      },
    });
  const adapterFactory: SqlDriverAdapterFactory = Object.assign(Object.create(factory) as SqlDriverAdapterFactory, {
    connect: () => (connected = factory.connect().then((a) => gated(a as SqliteAdapter))),
  });
  const adapter = async () => {
    if (!connected) await connectOrm();
    return connected!;
  };

  const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();
  const statement = (client: BetterSqlite3.Database, text: string) => {
    let cache = statements.get(client);
    if (!cache) statements.set(client, (cache = new Map()));
    let stmt = cache.get(text);
    if (!stmt) {
      // The adapter reads integers as BigInt; these statements read plain numbers.
      stmt = client.prepare(text).safeIntegers(false);
      cache.set(text, stmt);
    }
    return stmt;
  };
  // Rows are read as arrays and made objects here: better-sqlite3 builds a row object column by
  // column in C++, which took a page of 1,000 messages 6.9 ms against 4.7 ms this way.
  const columnNames = new WeakMap<BetterSqlite3.Statement, string[]>();
  const rows = <T>(client: BetterSqlite3.Database, text: string, params: SqlValue[] = []) => {
    const stmt = statement(client, text);
    let names = columnNames.get(stmt);
    if (!names)
      columnNames.set(
        stmt,
        (names = stmt
          .raw(true)
          .columns()
          .map((c) => c.name)),
      );
    return (stmt.all(...params.map(sqliteValue)) as unknown[][]).map((values) => {
      const row: SqlRow = {};
      for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
      return row;
    }) as T[];
  };
  const changes = (client: BetterSqlite3.Database, text: string, params: SqlValue[] = []) =>
    statement(client, text).run(...params.map(sqliteValue)).changes;
  async function transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const a = await adapter();
    const lock = await a.startTransaction();
    // Inside a transaction, a nested one is part of it.
    const tx: Sql = {
      all: async (text, params) => rows(a.client, text, params),
      run: async (text, params) => changes(a.client, text, params),
      transaction: (nested) => nested(tx),
    };
    try {
      const result = await work(tx);
      statement(a.client, "COMMIT").run();
      await lock.commit();
      return result;
    } catch (e) {
      if (a.client.inTransaction) statement(a.client, "ROLLBACK").run();
      await lock.rollback();
      throw e;
    }
  }
  const sql: Sql = {
    async all(text, params) {
      const { client } = await adapter();
      while (open) await open;
      return rows(client, text, params);
    },
    async run(text, params) {
      const { client } = await adapter();
      while (open) await open;
      return changes(client, text, params);
    },
    transaction,
  };
  return { adapterFactory, sql };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: the ORM's pg pool
// ---------------------------------------------------------------------------------------------

const TIMESTAMP = 1114;
const JSON_TYPES = [114, 3802];

export function postgresSql(pool: Pool, parserOf: (oid: number) => (text: string) => unknown): Sql {
  const numbered = new Map<string, string>();
  const config = (text: string, params: SqlValue[]): QueryConfig => {
    let sql = numbered.get(text);
    if (sql === undefined) {
      let n = 0;
      sql = text.replace(/\?/g, () => `$${++n}`);
      numbered.set(text, sql);
    }
    return {
      text: sql,
      // `timestamp(3)` holds UTC (as the ORM writes it); a Date's ISO text says so.
      values: params.map((v) => (v instanceof Date ? v.toISOString() : v)),
      // JSON columns come back as text, as on SQLite (jsonOf parses both alike).
      types: {
        getTypeParser: ((oid: number) =>
          oid === TIMESTAMP ? utc : JSON_TYPES.includes(oid) ? String : parserOf(oid)) as never,
      },
    };
  };
  const on = (client: Pool | PoolClient, inTransaction: boolean): Sql => {
    const self: Sql = {
      async all<T>(text: string, params: SqlValue[] = []) {
        return (await client.query(config(text, params))).rows as T[];
      },
      async run(text, params = []) {
        return (await client.query(config(text, params))).rowCount ?? 0;
      },
      transaction: (work) => (inTransaction ? work(self) : transaction(work)),
    };
    return self;
  };
  async function transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(on(client, true));
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
  return on(pool, false);
}

const utc = (text: string) => new Date(`${text.replace(" ", "T")}Z`);

/**
 * Fills a database straight through SQL, much faster than the API: a long history in one
 * session, or many sessions. For benchmarks and scale tests; both providers.
 */

import Database from "better-sqlite3";
import pg from "pg";
import { sqliteFile } from "@/lib/db/connection";

interface Seeder {
  /** Inserts `rows` into `table` in multi-row statements (within SQLite's 999 bind values). */
  insert(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  /** One statement with `?` placeholders. */
  run(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function connect(databaseUrl: string): Promise<Seeder> {
  const valuesOf = (columns: string[], rows: unknown[][], placeholder: (n: number) => string) =>
    rows.map((_, r) => `(${columns.map((_, c) => placeholder(r * columns.length + c + 1)).join(", ")})`).join(", ");
  const batches = (columns: string[], rows: unknown[][]) => {
    const size = Math.floor(900 / columns.length);
    return Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
  };
  const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(", ");
  if (/^postgres/.test(databaseUrl)) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return {
      async insert(table, columns, rows) {
        for (const batch of batches(columns, rows)) {
          await client.query(
            `INSERT INTO "${table}" (${quoted(columns)}) VALUES ${valuesOf(columns, batch, (n) => `$${n}`)}`,
            batch.flat(),
          );
        }
      },
      async run(sql, params = []) {
        let n = 0;
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        );
      },
      close: () => client.end(),
    };
  }
  const db = new Database(sqliteFile(databaseUrl), { timeout: 5000 });
  return {
    async insert(table, columns, rows) {
      db.transaction(() => {
        for (const batch of batches(columns, rows)) {
          db.prepare(`INSERT INTO "${table}" (${quoted(columns)}) VALUES ${valuesOf(columns, batch, () => "?")}`).run(
            ...batch.flat(),
          );
        }
      })();
    },
    async run(sql, params = []) {
      db.prepare(sql).run(...params);
    },
    close: async () => void db.close(),
  };
}

/** Fills a session with `count` alternating user/agent messages, one second apart. */
export async function seedHistory(databaseUrl: string, sessionPk: number, count: number): Promise<void> {
  const base = Date.now() - count * 1000;
  const rows = Array.from({ length: count }, (_, i) => {
    const at = new Date(base + i * 1000).toISOString();
    return [
      sessionPk,
      i % 2 === 0 ? "user" : "agent",
      `Seeded message ${i}: ${"lorem ipsum dolor sit amet ".repeat(8)}`,
      "",
      at,
      at,
    ];
  });
  const seeder = await connect(databaseUrl);
  try {
    await seeder.insert("message", ["session_id", "role", "content", "tool_name", "created_at", "updated_at"], rows);
  } finally {
    await seeder.close();
  }
}

/**
 * Creates `count` sessions `<prefix>-0` … (titled "Seeded chat <i>", each a second newer than
 * the last, the newest a day old) with the same team as the session `teamOf`: its assignments
 * and their tools.
 */
export async function seedSessions(
  databaseUrl: string,
  count: number,
  { prefix, teamOf }: { prefix: string; teamOf: number },
): Promise<void> {
  const base = Date.now() - 86_400_000 - count * 1000;
  const rows = Array.from({ length: count }, (_, i) => {
    const at = new Date(base + i * 1000).toISOString();
    return [`${prefix}-${i}`, `Seeded chat ${i}`, "", at, at];
  });
  const seeder = await connect(databaseUrl);
  try {
    await seeder.insert("chat_session", ["session_id", "title", "user_id", "created_at", "updated_at"], rows);
    const seeded = `${prefix}-%`;
    await seeder.run(
      `INSERT INTO assignment (session_id, agent_id, "order", prompt_override, created_at, updated_at)
       SELECT s.id, t.agent_id, t."order", t.prompt_override, s.created_at, s.created_at
         FROM chat_session s CROSS JOIN assignment t
        WHERE t.session_id = ? AND s.session_id LIKE ?`,
      [teamOf, seeded],
    );
    await seeder.run(
      `INSERT INTO "_AssignmentToTool" ("A", "B")
       SELECT a.id, link."B"
         FROM assignment a
         JOIN chat_session s ON s.id = a.session_id
         JOIN assignment t ON t.session_id = ? AND t.agent_id = a.agent_id
         JOIN "_AssignmentToTool" link ON link."A" = t.id
        WHERE s.session_id LIKE ?`,
      [teamOf, seeded],
    );
  } finally {
    await seeder.close();
  }
}

/**
 * Fills a database straight through SQL, much faster than the API: a long history in one
 * session, or many sessions. For benchmarks and scale tests; both providers.
 */

import Database from "better-sqlite3";
import pg from "pg";
import { sqliteFile } from "@/lib/db/connection";
import { prng } from "@/test/support/prng";

interface Seeder {
  /** Inserts `rows` into `table` in multi-row statements (within SQLite's 999 bind values). */
  insert(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  /** One statement with `?` placeholders. */
  run(sql: string, params?: unknown[]): Promise<void>;
  /** One query with `?` placeholders; its rows. */
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
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
    const query = (sql: string, params: unknown[]) => {
      let n = 0;
      return client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      );
    };
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
        await query(sql, params);
      },
      rows: async <T>(sql: string, params: unknown[] = []) => (await query(sql, params)).rows as T[],
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
    async rows<T>(sql: string, params: unknown[] = []) {
      return db.prepare(sql).all(...params) as T[];
    },
    close: async () => void db.close(),
  };
}

/**
 * Fills a session with `count` alternating user/agent messages, one second apart, as the turns
 * of a linear conversation: each user message and the answer after it are one successful run,
 * hanging below the run before it, the last one the session's head.
 */
export async function seedHistory(databaseUrl: string, sessionPk: number, count: number): Promise<void> {
  const base = Date.now() - count * 1000;
  const at = (i: number) => new Date(base + i * 1000).toISOString();
  const seeder = await connect(databaseUrl);
  try {
    const turns = Math.ceil(count / 2);
    await seeder.insert(
      "run_log",
      ["session_id", "status", "kind", "details", "instance_id", "created_at", "updated_at"],
      Array.from({ length: turns }, (_, t) => [sessionPk, "success", "send", "", "", at(2 * t), at(2 * t + 1)]),
    );
    const runs = await seeder.rows<{ id: number }>("SELECT id FROM run_log WHERE session_id = ? ORDER BY id", [
      sessionPk,
    ]);
    const runIds = runs.slice(-turns).map((r) => Number(r.id));
    const rows = Array.from({ length: count }, (_, i) => [
      sessionPk,
      runIds[Math.floor(i / 2)],
      i % 2 === 0 ? "user" : "agent",
      `Seeded message ${i}: ${"lorem ipsum dolor sit amet ".repeat(8)}`,
      "",
      at(i),
      at(i),
    ]);
    await seeder.insert(
      "message",
      ["session_id", "run_id", "role", "content", "tool_name", "created_at", "updated_at"],
      rows,
    );
    await seeder.run(
      `UPDATE run_log SET
         parent_run_id = (SELECT MAX(p.id) FROM run_log p WHERE p.session_id = run_log.session_id AND p.id < run_log.id),
         user_message_id = (SELECT MIN(m.id) FROM message m WHERE m.run_id = run_log.id)
       WHERE session_id = ? AND id >= ?`,
      [sessionPk, runIds[0]],
    );
    await seeder.run("UPDATE chat_session SET last_message_at = ?, head_run_id = ? WHERE id = ?", [
      at(count - 1),
      runIds.at(-1),
      sessionPk,
    ]);
  } finally {
    await seeder.close();
  }
}

/**
 * Creates `count` sessions `<prefix>-0` … (titled "Seeded chat <i>", each `spacingMs` (a second)
 * newer than the last, the newest a day old) with the same team as the session `teamOf`: its
 * assignments and their tools.
 */
export async function seedSessions(
  databaseUrl: string,
  count: number,
  { prefix, teamOf, spacingMs = 1000 }: { prefix: string; teamOf: number; spacingMs?: number },
): Promise<void> {
  const base = Date.now() - 86_400_000 - (count - 1) * spacingMs;
  const rows = Array.from({ length: count }, (_, i) => {
    const at = new Date(base + i * spacingMs).toISOString();
    return [`${prefix}-${i}`, `Seeded chat ${i}`, "", at, at, at];
  });
  const seeder = await connect(databaseUrl);
  try {
    await seeder.insert(
      "chat_session",
      ["session_id", "title", "user_id", "created_at", "updated_at", "last_message_at"],
      rows,
    );
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

/** A vocabulary of `size` made-up words ("bolaku", "teminor" …), the same for the same seed. */
export function vocabulary(size: number, random: ReturnType<typeof prng>): string[] {
  const syllables = ["ba", "ko", "la", "mi", "nor", "te", "su", "ra", "vi", "den", "po", "gal", "ku", "zen", "fa"];
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + random.int(3);
    words.add(Array.from({ length: n }, () => random.pick(syllables)).join(""));
  }
  return [...words];
}

/**
 * Fills `sessions` sessions with `perSession` messages each of 12–40 words drawn from `words`
 * (skewed: the first words are far more common, as in real text), for the search benchmark.
 */
export async function seedSearchCorpus(
  databaseUrl: string,
  { sessions, perSession, words, seed = 7 }: { sessions: number; perSession: number; words: string[]; seed?: number },
): Promise<void> {
  const random = prng(seed);
  const word = () => words[Math.floor(words.length * random.next() ** 3)];
  const base = Date.now() - sessions * perSession * 1000;
  const seeder = await connect(databaseUrl);
  try {
    const at = (i: number) => new Date(base + i * 1000).toISOString();
    await seeder.insert(
      "chat_session",
      ["session_id", "title", "user_id", "created_at", "updated_at", "last_message_at"],
      Array.from({ length: sessions }, (_, i) => [
        `search-${seed}-${i}`,
        `Search corpus ${i}`,
        "",
        at(i),
        at(i),
        at((i + 1) * perSession - 1),
      ]),
    );
    const pks = await seeder.rows<{ id: number }>("SELECT id FROM chat_session WHERE session_id LIKE ? ORDER BY id", [
      `search-${seed}-%`,
    ]);
    for (const [s, { id }] of pks.entries()) {
      const rows = Array.from({ length: perSession }, (_, i) => {
        const time = at(s * perSession + i);
        const text = Array.from({ length: 12 + random.int(29) }, word).join(" ");
        return [id, i % 2 === 0 ? "user" : "agent", text, "", time, time];
      });
      await seeder.insert("message", ["session_id", "role", "content", "tool_name", "created_at", "updated_at"], rows);
    }
  } finally {
    await seeder.close();
  }
}

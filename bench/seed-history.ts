/** Fills a session with `count` alternating user/agent messages straight into the database. */
import pg from "pg";
import Database from "better-sqlite3";
import { sqliteFile } from "../lib/db/client.ts";

export async function seedHistory(databaseUrl: string, sessionPk: number, count: number): Promise<void> {
  const base = Date.now() - count * 1000;
  const rows = Array.from({ length: count }, (_, i) => ({
    role: i % 2 === 0 ? "user" : "agent",
    content: `Seeded message ${i}: ${"lorem ipsum dolor sit amet ".repeat(8)}`,
    at: new Date(base + i * 1000).toISOString(),
  }));
  if (/^postgres/.test(databaseUrl)) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const values = chunk.map((_, j) => `($1, $${j * 3 + 2}::"MessageRole", $${j * 3 + 3}, $${j * 3 + 4}, $${j * 3 + 4})`).join(",");
      await client.query(
        `INSERT INTO message (session_id, role, content, created_at, updated_at) VALUES ${values}`,
        [sessionPk, ...chunk.flatMap((r) => [r.role, r.content, r.at])],
      );
    }
    await client.end();
    return;
  }
  const db = new Database(sqliteFile(databaseUrl), { timeout: 5000 });
  const insert = db.prepare("INSERT INTO message (session_id, role, content, tool_name, created_at, updated_at) VALUES (?, ?, ?, '', ?, ?)");
  db.transaction(() => {
    for (const r of rows) insert.run(sessionPk, r.role, r.content, r.at, r.at);
  })();
  db.close();
}

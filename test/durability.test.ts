/**
 * Durability: an instance is killed with SIGKILL in the middle of a load of sends (many of them
 * queued behind running runs). After a restart every message whose send was acknowledged (200 or
 * 202) is there, with its content, the queued ones have run, and no run is left `running`:
 * - SQLite: restarted as the same instance (same port, so the same instance id): its start-up
 *   recovery ends the dead process's runs at once. The database is in WAL mode.
 * - PostgreSQL: restarted as a different instance, which recovers the runs once their lease
 *   lapses (the lease and "never touch a live instance's runs" are tested in engine.test.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { sqliteFile } from "@/lib/db/connection";
import { apiClient, eventually } from "./support/api";
import { freshPostgresUrl, freshSqliteUrl, requireServices } from "./support/databases";
import { startServer, type TandemServer } from "./support/server";

const SESSIONS = 12;
const CLIENTS = 6;

interface Acked {
  sessionId: string;
  content: string;
  messageIds: number[];
}

/** Sends until stopped; records every acknowledged send. */
async function load(server: TandemServer, sessions: string[], acked: Acked[], stop: { now: boolean }) {
  const api = apiClient(server.url);
  let n = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      while (!stop.now) {
        const sessionId = sessions[(client + CLIENTS * (n % 2)) % sessions.length];
        const content = `durable ${client}-${n++} ${"é".repeat(n % 7)}`;
        const sync = n % 3 === 0;
        try {
          const res = await api("POST", `/api/sessions/${sessionId}/send/`, { content, async: !sync });
          if (res.status === 202) acked.push({ sessionId, content, messageIds: [res.json.message.id] });
          else if (res.status === 200)
            acked.push({ sessionId, content, messageIds: res.json.map((m: { id: number }) => m.id) });
          else if (res.status === 429) await new Promise((r) => setTimeout(r, 5)); // the session's queue is full
        } catch {
          // the connection died with the server: this send was not acknowledged
          return;
        }
      }
    }),
  );
}

for (const provider of ["sqlite", "postgres"] as const) {
  test(`SIGKILL under load loses no acknowledged message and leaves no run running (${provider})`, async (t) => {
    const pg = provider === "postgres" ? await freshPostgresUrl("durability") : null;
    if (provider === "postgres" && !pg) {
      if (requireServices()) throw new Error("PostgreSQL is required but unreachable");
      return t.skip("PostgreSQL is not reachable");
    }
    t.after(() => pg?.drop());
    const databaseUrl = pg?.url ?? (await freshSqliteUrl("durability"));
    const env = { TANDEM_OFFLINE_DELAY_MS: "2", TANDEM_RUN_LEASE_MS: "1500" };
    const first = await startServer({ databaseUrl, env });
    const api = apiClient(first.url);
    const sessions: string[] = [];
    for (let i = 0; i < SESSIONS; i++)
      sessions.push((await api("POST", "/api/sessions/", { title: `load ${i}` })).json.session_id);

    const acked: Acked[] = [];
    const stop = { now: false };
    const running = load(first, sessions, acked, stop);
    await eventually(async () => (acked.length >= 40 ? true : undefined), 60_000);
    await first.kill(); // mid-load: runs are going, sends are in flight
    stop.now = true;
    await running;
    assert.ok(acked.length >= 40, `only ${acked.length} sends were acknowledged`);

    if (provider === "sqlite") {
      const db = new Database(sqliteFile(databaseUrl), { readonly: true });
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      db.close();
    }
    const again = await startServer({ databaseUrl, env, port: provider === "sqlite" ? first.port : undefined });
    t.after(() => again.stop());
    const api2 = apiClient(again.url);

    // Runs: none left running (at once for the same instance; after the lease for another), and
    // the acknowledged sends still queued at the crash ran on the restarted instance.
    const allRuns = async () =>
      (
        await Promise.all(sessions.map(async (s) => (await api2("GET", `/api/sessions/${s}/runs/?limit=1000`)).json))
      ).flat();
    const runs = await eventually(async () => {
      const all = await allRuns();
      return all.some((r: { status: string }) => r.status === "running" || r.status === "queued") ? undefined : all;
    }, 60_000);
    assert.ok(
      runs.some((r: { extra?: { interrupted?: boolean } }) => r.extra?.interrupted),
      "the killed runs are marked interrupted",
    );
    for (const s of sessions)
      assert.equal((await api2("GET", `/api/sessions/${s}/state/`)).json.run, null, `${s} is free`);

    // Messages: every acknowledged one, with its content.
    const history = new Map<string, Map<number, { content: string; role: string }>>();
    for (const s of sessions) {
      const messages = (await api2("GET", `/api/sessions/${s}/history/?limit=1000`)).json;
      history.set(s, new Map(messages.map((m: { id: number; content: string; role: string }) => [m.id, m])));
    }
    const missing = acked.flatMap((a) =>
      a.messageIds.filter((id) => !history.get(a.sessionId)!.has(id)).map((id) => `${a.sessionId}#${id}`),
    );
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged sends lost messages`);
    for (const a of acked) {
      const user = history.get(a.sessionId)!.get(a.messageIds[0])!;
      assert.equal(user.role, "user");
      assert.equal(user.content, a.content);
    }
    // And the restarted instance works.
    const after = await api2("POST", `/api/sessions/${sessions[0]}/send/`, { content: "after the crash" });
    assert.equal(after.status, 200, after.text);
  });
}

/**
 * The run lifecycle where the database is involved: an agent's text reaches the database while
 * it streams (history shows it, a crash keeps it, at a bounded write rate), and a run whose
 * writes fail ends at once with the real reason instead of waiting for lease recovery.
 *
 * Write failures are injected with database triggers that raise (SQLite and PostgreSQL), and
 * writes are counted with a trigger that logs every update of a message's text.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { sqliteFile } from "@/lib/db/connection";
import { apiClient, eventually } from "./support/api";
import { freshPostgresUrl, freshSqliteUrl, requireServices } from "./support/databases";
import { startServer } from "./support/server";
import { ChatClient } from "./support/ws";

/** Runs statements on the server's database from outside, as an operator (or a failing disk) would. */
async function onDatabase(databaseUrl: string, sql: string): Promise<void> {
  if (databaseUrl.startsWith("file:")) {
    const db = new Database(sqliteFile(databaseUrl));
    try {
      db.pragma("busy_timeout = 5000");
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const refuseAgentMessages = {
  sqlite: `CREATE TRIGGER refuse_agent_messages BEFORE INSERT ON message WHEN NEW.role = 'agent'
           BEGIN SELECT RAISE(ABORT, 'disk quota exceeded (test)'); END;`,
  postgres: `CREATE FUNCTION refuse_write() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk quota exceeded (test)'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse_agent_messages BEFORE INSERT ON message FOR EACH ROW WHEN (NEW.role = 'agent') EXECUTE FUNCTION refuse_write();`,
};

describe("in-flight text", () => {
  test("history shows an agent's partial text while it streams, growing, at a few writes per second", async (t) => {
    const databaseUrl = await freshSqliteUrl("partial");
    const server = await startServer({ databaseUrl, env: { TANDEM_OFFLINE_DELAY_MS: "25" } });
    t.after(() => server.stop());
    const api = apiClient(server.url);
    await onDatabase(
      databaseUrl,
      `
      CREATE TABLE test_text_writes (message_id INTEGER, at REAL);
      CREATE TRIGGER count_text_writes AFTER UPDATE OF content ON message
      BEGIN INSERT INTO test_text_writes VALUES (NEW.id, (julianday('now') - 2440587.5) * 86400000.0); END;`,
    );
    const id = (await api("POST", "/api/sessions/", {})).json.session_id;
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    t.after(() => client.close());
    const sent = await api("POST", `/api/sessions/${id}/send/`, {
      content: "Write a long essay about oceans",
      async: true,
    });
    assert.equal(sent.status, 202);

    const streaming = async () => {
      const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
      return history.find((m: any) => m.role === "agent" && m.metadata?.streaming === true && m.content.length > 0);
    };
    const first = await eventually(streaming, 20_000);
    const later = await eventually(async () => {
      const m = await streaming();
      return m && m.id === first.id && m.content.length > first.content.length ? m : undefined;
    }, 20_000);
    assert.ok(later.content.startsWith(first.content), "the stored text grows by appending");
    assert.equal(client.events("run_completed").length, 0, "seen during the run");

    await client.waitFor((f) => f.event === "run_completed", 60_000);
    const final = (await api("GET", `/api/sessions/${id}/history/`)).json.find((m: any) => m.id === first.id);
    assert.ok(final.content.startsWith(later.content));
    assert.notEqual(final.metadata.streaming, true, "the final write ends streaming");

    // Write load: the text updates of each agent message over its turn (the final write included).
    const db = new Database(sqliteFile(databaseUrl), { readonly: true });
    const writes = db.prepare("SELECT message_id, COUNT(*) AS n FROM test_text_writes GROUP BY message_id").all() as {
      message_id: number;
      n: number;
    }[];
    db.close();
    const agents = (await api("GET", `/api/sessions/${id}/history/`)).json.filter((m: any) => m.role === "agent");
    for (const m of agents) {
      const n = writes.find((w) => w.message_id === m.id)?.n ?? 0;
      const perSecond = n / (m.latency_ms / 1000);
      t.diagnostic(`${m.agent.name}: ${n} text writes in ${m.latency_ms} ms = ${perSecond.toFixed(2)} writes/s`);
      assert.ok(n >= 2, `${m.agent.name}'s text was written while it streamed (${n} writes)`);
      assert.ok(perSecond <= 5, `${m.agent.name}: at most a few writes per second (${perSecond.toFixed(2)})`);
    }
  });

  test("a SIGKILL mid-turn keeps the text written so far", async () => {
    const databaseUrl = await freshSqliteUrl("partial-crash");
    const server = await startServer({ databaseUrl, env: { TANDEM_OFFLINE_DELAY_MS: "60" } });
    const api = apiClient(server.url);
    const id = (await api("POST", "/api/sessions/", {})).json.session_id;
    await api("POST", `/api/sessions/${id}/send/`, { content: "Write a long essay about oceans", async: true });
    const partial = await eventually(async () => {
      const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
      return history.find((m: any) => m.role === "agent" && m.metadata?.streaming === true && m.content.length > 0);
    }, 20_000);
    await server.kill();

    const again = await startServer({ databaseUrl, port: server.port });
    const history = (await apiClient(again.url)("GET", `/api/sessions/${id}/history/`)).json;
    await again.stop();
    const kept = history.find((m: any) => m.id === partial.id);
    assert.ok(
      kept.content.length > 0 && kept.content.startsWith(partial.content),
      `kept: ${JSON.stringify(kept.content)}`,
    );
    assert.equal(kept.metadata.interrupted, true);
    assert.equal(kept.metadata.streaming, false);
  });
});

describe("failed writes", () => {
  for (const provider of ["sqlite", "postgres"] as const) {
    test(`a run whose agent message cannot be stored ends at once with the real reason (${provider})`, async (t) => {
      const pgDb = provider === "postgres" ? await freshPostgresUrl("write-fail") : null;
      if (provider === "postgres" && !pgDb) {
        if (requireServices()) throw new Error("PostgreSQL is required but unreachable");
        return t.skip("PostgreSQL is not reachable");
      }
      t.after(() => pgDb?.drop());
      const databaseUrl = pgDb?.url ?? (await freshSqliteUrl("write-fail"));
      const server = await startServer({ databaseUrl });
      t.after(() => server.stop());
      const api = apiClient(server.url);
      const id = (await api("POST", "/api/sessions/", {})).json.session_id;
      await onDatabase(databaseUrl, refuseAgentMessages[provider]);
      const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
      t.after(() => client.close());

      const started = performance.now();
      const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "keep me", async: true });
      assert.equal(sent.status, 202);
      const runError = await client.waitFor((f) => f.event === "run_error", 30_000);
      const seconds = (performance.now() - started) / 1000;
      assert.ok(seconds < 10, `run_error after ${seconds.toFixed(1)} s, not after the lease lapsed`);
      assert.deepEqual(Object.keys(runError.payload!).sort(), ["error", "run_id", "session_id"]);
      assert.equal(runError.payload!.run_id, sent.json.run_id);
      assert.match(runError.payload!.error, /^Could not store the agent's message: .*disk quota exceeded \(test\)/);

      const run = (await api("GET", `/api/sessions/${id}/runs/`)).json[0];
      assert.equal(run.status, "error");
      assert.equal(run.details, runError.payload!.error);
      const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
      assert.deepEqual(
        history.map((m: any) => [m.role, m.content]),
        [["user", "keep me"]],
        "the user's message is kept",
      );
      assert.equal((await api("GET", `/api/sessions/${id}/state/`)).json.run, null, "the session is free");
      // A warn line names the run and the reason.
      await server.logEntry(
        (l) => l.level === 40 && l.run_id === sent.json.run_id && /disk quota exceeded/.test(l.reason),
      );
      assert.equal(client.events("run_error").length, 1, "announced once");
    });
  }

  test("when even the end cannot be recorded, clients still hear the real reason, and it is recorded once writes work again", async (t) => {
    const databaseUrl = await freshSqliteUrl("end-fail");
    const server = await startServer({ databaseUrl, env: { TANDEM_RUN_LEASE_MS: "3000" } });
    t.after(() => server.stop());
    const api = apiClient(server.url);
    const id = (await api("POST", "/api/sessions/", {})).json.session_id;
    await onDatabase(
      databaseUrl,
      `${refuseAgentMessages.sqlite}
      CREATE TRIGGER refuse_run_ends BEFORE UPDATE OF status ON run_log WHEN NEW.status <> 'running'
      BEGIN SELECT RAISE(ABORT, 'read-only (test)'); END;`,
    );
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    t.after(() => client.close());

    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "keep me too", async: true });
    const runError = await client.waitFor((f) => f.event === "run_error", 15_000);
    assert.match(runError.payload!.error, /^Could not store the agent's message: .*disk quota exceeded \(test\)/);
    assert.equal(
      (await api("GET", `/api/sessions/${id}/runs/`)).json[0].status,
      "running",
      "the end could not be written",
    );

    // Longer than a lease: recovery must not call it "interrupted" while the owner retries.
    await new Promise((r) => setTimeout(r, 4000));
    await onDatabase(databaseUrl, "DROP TRIGGER refuse_agent_messages; DROP TRIGGER refuse_run_ends;");
    const run = await eventually(async () => {
      const r = (await api("GET", `/api/sessions/${id}/runs/`)).json[0];
      return r.status === "running" ? undefined : r;
    }, 15_000);
    assert.equal(run.id, sent.json.run_id);
    assert.equal(run.status, "error");
    assert.equal(run.details, runError.payload!.error, "the real reason, not 'interrupted'");
    assert.equal(client.events("run_error").length, 1, "announced once");
    const again = await api("POST", `/api/sessions/${id}/send/`, { content: "and now?" });
    assert.equal(again.status, 200, again.text);
  });
});

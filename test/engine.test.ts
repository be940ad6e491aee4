/**
 * The collaboration engine through the public API: live streaming, cancellation, one run per
 * session, bounded context, tools, graceful shutdown and crash recovery.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiClient, eventually } from "./support/api";
import { freshPostgresUrl, freshSqliteUrl, requireServices } from "./support/databases";
import { startServer, type TandemServer } from "./support/server";
import { ChatClient } from "./support/ws";

describe("collaboration engine", () => {
  let server: TandemServer;
  let api: ReturnType<typeof apiClient>;
  before(async () => {
    // Slow enough to cancel mid-stream; a small context budget to see it bounded.
    server = await startServer({ env: { TANDEM_OFFLINE_DELAY_MS: "15", TANDEM_CONTEXT_TOKENS: "400" } });
    api = apiClient(server.url);
  });
  after(async () => {
    await server.stop();
  });
  const newSession = async () => (await api("POST", "/api/sessions/", {})).json.session_id as string;

  test("streams tokens live: they arrive over time, before the agent's turn ends", async () => {
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const arrivals: number[] = [];
    client.ws.on("message", (d) => {
      if (JSON.parse(d.toString()).event === "agent_token") arrivals.push(performance.now());
    });
    const res = await api("POST", `/api/sessions/${id}/send/`, { content: "Describe the water cycle", async: true });
    assert.equal(res.status, 202);
    const writerTurn = await client.waitFor((f) => f.event === "agent_turn" && f.payload!.agent === "writer");
    await client.waitFor((f) => f.event === "run_completed");
    const tokens = client.events("agent_token");
    assert.ok(tokens.length >= 5, `several token frames (${tokens.length})`);
    assert.ok(arrivals.at(-1)! - arrivals[0] > 100, "tokens are spread over the stream, not sent at the end");
    const writerTokens = tokens.filter((t) => t.payload!.agent === "writer");
    assert.equal(writerTokens.map((t) => t.payload!.delta).join(""), writerTurn.payload!.content);
    assert.ok(writerTokens.every((t) => t.payload!.message_id === writerTurn.payload!.message_id));
    assert.ok(writerTokens.every((t) => t.payload!.run_id === res.json.run_id));
    // Coalesced: frames are at least ~30 ms apart, or carry a few hundred characters.
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    const quick = gaps.filter((g) => g < 20).length;
    assert.ok(quick <= Math.ceil(gaps.length * 0.25), `frames are paced (${quick} of ${gaps.length} under 20 ms)`);
    await client.close();
  });

  test("cancels a running run: partial text kept and marked, run cancelled, frame sent", async () => {
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const sent = await api("POST", `/api/sessions/${id}/send/`, {
      content: "Write a long essay about oceans",
      async: true,
    });
    assert.equal(sent.status, 202);
    await client.waitFor((f) => f.event === "agent_token");
    const state = await api("GET", `/api/sessions/${id}/state/`);
    assert.deepEqual(state.json.run, { id: sent.json.run_id, status: "running" });
    const cancel = await api("POST", `/api/sessions/${id}/cancel/`);
    assert.equal(cancel.status, 200, cancel.text);
    assert.deepEqual(cancel.json, {
      run_id: sent.json.run_id,
      status: "cancelled",
      queue: { pending: 0, next_run_id: null },
    });
    await client.waitFor((f) => f.event === "run_cancelled");

    const runs = await api("GET", `/api/sessions/${id}/runs/`);
    assert.equal(runs.json[0].status, "cancelled");
    const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.equal(history[0].content, "Write a long essay about oceans");
    const partial = history.find((m: any) => m.role === "agent");
    assert.ok(partial, "the partial agent message is kept");
    assert.equal(partial.metadata.cancelled, true);
    assert.ok(partial.content.length > 0);
    const delivered = client.events("agent_token").filter((t) => t.payload!.message_id === partial.id);
    assert.equal(delivered.map((t) => t.payload!.delta).join(""), partial.content, "kept text = streamed text");
    assert.equal(client.events("run_completed").length, 0);
    assert.equal((await api("GET", `/api/sessions/${id}/state/`)).json.run, null);
    assert.equal((await api("POST", `/api/sessions/${id}/cancel/`)).status, 409, "nothing runs any more");
    const again = await api("POST", `/api/sessions/${id}/send/`, { content: "And now?" });
    assert.equal(again.status, 200, "the session takes new sends");
    await client.close();
  });

  test("runs one run per session: concurrent sends queue and never interleave, past the queue limit 429", async () => {
    const id = await newSession();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api("POST", `/api/sessions/${id}/send/`, { content: `concurrent ${i}` })),
    );
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(ok.length >= 6, `one running and the default five queued all answer (${ok.length})`);
    assert.equal(ok.length + refused.length, 10, answers.map((a) => a.status).join(","));
    for (const r of refused) assert.match(r.json.detail, /TANDEM_QUEUE_LIMIT/);
    for (const a of ok) assert.equal(a.json[0].role, "user", "each answer starts with its own message");
    const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.equal(
      history.length,
      ok.reduce((n, a) => n + a.json.length, 0),
      "refused sends wrote nothing",
    );
    // Each run's messages are contiguous and in the run's own order.
    for (const a of ok) {
      const start = history.findIndex((m: any) => m.id === a.json[0].id);
      assert.deepEqual(
        history.slice(start, start + a.json.length).map((m: any) => m.id),
        a.json.map((m: any) => m.id),
      );
    }
    const runs = (await api("GET", `/api/sessions/${id}/runs/`)).json;
    assert.equal(runs.length, ok.length);
    assert.ok(runs.every((r: any) => r.status === "success"));
  });

  test("uses current_time when asked for the time, with the zone named", async () => {
    const id = await newSession();
    const res = await api("POST", `/api/sessions/${id}/send/`, { content: "What time is it in Tokyo right now?" });
    const tool = res.json.find((m: any) => m.role === "tool");
    assert.equal(tool.tool_name, "current_time");
    assert.equal(tool.tool_output.timezone, "Asia/Tokyo");
    assert.ok(Math.abs(tool.tool_output.unix_ms - Date.now()) < 60_000);
    assert.match(tool.content, /^current_time: Asia\/Tokyo → \d{4}-\d{2}-\d{2} \d{2}:\d{2} \([A-Z][a-z]+day\)$/);
  });

  test("a tool that fails is stored with a readable error line", async () => {
    const id = await newSession();
    const res = await api("POST", `/api/sessions/${id}/send/`, { content: "What is 1/0?" });
    assert.equal(res.status, 200, res.text);
    const tool = res.json.find((m: any) => m.role === "tool");
    assert.deepEqual(tool.tool_output, { error: "Division by zero" });
    assert.equal(tool.content, "calculator: 1/0 → error: Division by zero");
  });

  test("queues an async send while a run is going, and deleting the session stops the run and drops the queue", async () => {
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const first = await api("POST", `/api/sessions/${id}/send/`, { content: "a long one", async: true });
    assert.equal(first.status, 202);
    assert.equal(first.json.status, "running");
    const second = await api("POST", `/api/sessions/${id}/send/`, { content: "while it runs", async: true });
    assert.equal(second.status, 202);
    assert.equal(second.json.status, "queued");
    assert.equal(second.json.position, 1);
    assert.equal(second.json.message.content, "while it runs");
    await client.waitFor((f) => f.event === "agent_token");
    const del = await api("DELETE", `/api/sessions/${id}/`);
    assert.equal(del.status, 204);
    await client.waitFor((f) => f.event === "session_deleted");
    assert.equal((await api("GET", `/api/sessions/${id}/`)).status, 404);
    await client.close();
  });
});

describe("bounded context", () => {
  let server: TandemServer;
  before(async () => {
    server = await startServer({ env: { TANDEM_CONTEXT_TOKENS: "1200" } });
  });
  after(async () => {
    await server.stop();
  });

  test("keeps the model's context bounded however long the session grows", async () => {
    const api = apiClient(server.url);
    const id = (await api("POST", "/api/sessions/", {})).json.session_id;
    const prompts: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api("POST", `/api/sessions/${id}/send/`, {
        content: `Message ${i}: ${"lorem ipsum dolor sit amet ".repeat(20)}`,
      });
      assert.equal(res.status, 200);
      prompts.push(res.json.find((m: any) => m.role === "agent" && m.agent.name === "writer").tokens_prompt);
    }
    const [firstRun, , , ...later] = prompts;
    assert.ok(later[0] > firstRun, `earlier messages are included while they fit: ${prompts.join(", ")}`);
    // Budget 1,200 tokens of history, plus the system prompt and this run's messages.
    assert.ok(Math.max(...later) < 1200 + firstRun, `prompt tokens stay bounded: ${prompts.join(", ")}`);
    assert.ok(Math.max(...later) - Math.min(...later) < 400, `and flat: ${prompts.join(", ")}`);
  });
});

describe("server lifecycle", () => {
  test("SIGTERM lets a running run finish, then exits cleanly", async () => {
    const databaseUrl = await freshSqliteUrl("shutdown");
    const server = await startServer({ databaseUrl, env: { TANDEM_OFFLINE_DELAY_MS: "5" } });
    const api = apiClient(server.url);
    const id = (await api("POST", "/api/sessions/", {})).json.session_id;
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "finish me", async: true });
    assert.equal(sent.status, 202);
    const code = await server.stop();
    assert.equal(code, 0, server.output());
    const again = await startServer({ databaseUrl });
    const runs = (await apiClient(again.url)("GET", `/api/sessions/${id}/runs/`)).json;
    await again.stop();
    assert.equal(runs[0].status, "success", "the run finished during the grace period");
  });

  test("SIGTERM past the grace period fails the run cleanly: never left running", async () => {
    const databaseUrl = await freshSqliteUrl("shutdown-late");
    const server = await startServer({
      databaseUrl,
      env: { TANDEM_OFFLINE_DELAY_MS: "200", TANDEM_SHUTDOWN_GRACE_MS: "300" },
    });
    const api = apiClient(server.url);
    const id = (await api("POST", "/api/sessions/", {})).json.session_id;
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    await api("POST", `/api/sessions/${id}/send/`, { content: "slow", async: true });
    await client.waitFor((f) => f.event === "agent_token");
    assert.equal(await server.stop(), 0, server.output());
    const runError = client.events("run_error")[0];
    assert.match(String(runError?.payload?.error), /shut down/);
    const again = await startServer({ databaseUrl });
    const api2 = apiClient(again.url);
    const runs = (await api2("GET", `/api/sessions/${id}/runs/`)).json;
    const history = (await api2("GET", `/api/sessions/${id}/history/`)).json;
    await again.stop();
    assert.equal(runs[0].status, "error");
    assert.match(runs[0].details, /shut down/);
    assert.equal(history[0].content, "slow", "the user's message is kept");
    assert.equal(history[1].metadata.partial, true, "partial text kept and marked");
  });

  test("a crash mid-run is marked interrupted at the next start, keeping what was written", async () => {
    const databaseUrl = await freshSqliteUrl("crash");
    const server = await startServer({ databaseUrl, env: { TANDEM_OFFLINE_DELAY_MS: "100" } });
    const api = apiClient(server.url);
    const id = (await api("POST", "/api/sessions/", {})).json.session_id;
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "crash during this", async: true });
    await client.waitFor((f) => f.event === "agent_token");
    await server.kill();
    // Same port, so the same instance id: its previous life's runs are certainly dead.
    const again = await startServer({ databaseUrl, port: server.port });
    const api2 = apiClient(again.url);
    const runs = (await api2("GET", `/api/sessions/${id}/runs/`)).json;
    const history = (await api2("GET", `/api/sessions/${id}/history/`)).json;
    const state = (await api2("GET", `/api/sessions/${id}/state/`)).json;
    const retry = await api2("POST", `/api/sessions/${id}/send/`, { content: "after the crash" });
    await again.stop();
    assert.equal(runs[0].id, sent.json.run_id);
    assert.equal(runs[0].status, "error");
    assert.match(runs[0].details, /Interrupted/);
    assert.equal(history[0].content, "crash during this");
    const partial = history.find((m: any) => m.role === "agent");
    assert.equal(partial.metadata.interrupted, true);
    assert.equal(partial.metadata.streaming, false);
    assert.equal(state.run, null);
    assert.equal(retry.status, 200);
  });

  for (const provider of ["sqlite", "postgres"] as const) {
    test(`another instance recovers a dead instance's run only once its lease lapses (${provider})`, async (t) => {
      const pgDb = provider === "postgres" ? await freshPostgresUrl("lease") : null;
      if (provider === "postgres" && !pgDb) {
        if (requireServices()) throw new Error("PostgreSQL is required but unreachable");
        return t.skip("PostgreSQL is not reachable");
      }
      t.after(() => pgDb?.drop());
      const databaseUrl = pgDb?.url ?? (await freshSqliteUrl("lease"));
      const env = { TANDEM_OFFLINE_DELAY_MS: "150", TANDEM_RUN_LEASE_MS: "1500" };
      const [a, b] = await Promise.all([startServer({ databaseUrl, env }), startServer({ databaseUrl, env })]);
      const apiA = apiClient(a.url);
      const apiB = apiClient(b.url);
      const id = (await apiA("POST", "/api/sessions/", {})).json.session_id;
      const client = await ChatClient.connect(`${a.wsUrl}/ws/chat/${id}/`);
      const sent = await apiA("POST", `/api/sessions/${id}/send/`, {
        content: "a long run on instance A",
        async: true,
      });
      await client.waitFor((f) => f.event === "agent_token");
      // B runs its recovery sweep every lease period; a live run on A is never touched.
      await new Promise((r) => setTimeout(r, 2500));
      const whileAlive = (await apiB("GET", `/api/sessions/${id}/runs/`)).json[0];
      assert.equal(whileAlive.status, "running", "B leaves A's live run alone");
      const busy = await apiB("POST", `/api/sessions/${id}/send/`, { content: "through B", async: true });
      assert.equal(busy.json.status, "queued", "the run slot holds across instances");
      await a.kill();
      const runs = await eventually(async () => {
        const all = (await apiB("GET", `/api/sessions/${id}/runs/`)).json;
        return all.some((r: any) => r.status === "running" || r.status === "queued") ? undefined : all;
      }, 60_000);
      await b.stop();
      const recovered = runs.find((r: any) => r.id === sent.json.run_id);
      assert.equal(recovered.status, "error");
      assert.match(recovered.details, /Interrupted/);
      assert.equal(runs.find((r: any) => r.id === busy.json.run_id).status, "success", "B ran the queued send");
    });
  }
});

/**
 * Turns people can act on (issue 11): a send during a run is queued (FIFO, bounded, held in the
 * database, run by any instance), steering joins the running run, and regenerate, edit, retry and
 * continue add versions of a turn that stay retrievable (`?versions=all`, `turns/`) while the
 * compat history shows the active path only. Against running servers, with real WebSocket
 * clients; the steering and failure tests answer through the OpenAI-compatible stub.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiClient, eventually } from "./support/api";
import { freshPostgresUrl, requireServices } from "./support/databases";
import { type OpenAIStub, startOpenAIStub } from "./support/openai-stub";
import { startServer, type TandemServer } from "./support/server";
import { ChatClient } from "./support/ws";

type Api = ReturnType<typeof apiClient>;

const LONG = "Write a long essay about oceans";

/** The roles and user contents of a history, e.g. `user:a agent agent user:b agent agent`. */
const shape = (history: any[]) =>
  history.map((m) => (m.role === "user" ? `user:${m.content}` : m.role === "agent" ? "agent" : m.role)).join(" ");

/** Waits until the session has no run going or waiting; returns its runs, oldest first. */
async function settled(api: Api, id: string, timeoutMs = 60_000): Promise<any[]> {
  return eventually(async () => {
    const runs = (await api("GET", `/api/sessions/${id}/runs/?limit=1000`)).json;
    return runs.some((r: any) => r.status === "running" || r.status === "queued") ? undefined : runs.reverse();
  }, timeoutMs);
}

/** Runs ran one at a time, in id order: each started after the previous one ended. */
function assertOneAtATime(runs: any[]) {
  const byId = [...runs].sort((a, b) => a.id - b.id);
  for (let i = 1; i < byId.length; i++) {
    assert.ok(
      Date.parse(byId[i].created_at) >= Date.parse(byId[i - 1].updated_at),
      `run ${byId[i].id} started after run ${byId[i - 1].id} ended`,
    );
  }
}

describe("queue", () => {
  let server: TandemServer;
  let api: Api;
  before(async () => {
    server = await startServer({ env: { TANDEM_OFFLINE_DELAY_MS: "10", TANDEM_QUEUE_LIMIT: "9" } });
    api = apiClient(server.url);
  });
  after(() => server.stop());
  const newSession = async () => (await api("POST", "/api/sessions/", {})).json.session_id as string;

  test("two sync sends 100 ms apart both answer 200 with their own run's messages, in order", async () => {
    const id = await newSession();
    const first = api("POST", `/api/sessions/${id}/send/`, { content: "first question" });
    await new Promise((r) => setTimeout(r, 100));
    const second = api("POST", `/api/sessions/${id}/send/`, { content: "second question" });
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.json[0].content, "first question");
    assert.equal(b.json[0].content, "second question");
    assert.ok(a.json.slice(1).every((m: any) => m.role !== "user" && m.run_id === a.json[0].run_id));
    assert.ok(b.json.slice(1).every((m: any) => m.role !== "user" && m.run_id === b.json[0].run_id));
    const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.deepEqual(
      history.map((m: any) => m.id),
      [...a.json, ...b.json].map((m: any) => m.id),
      "each user message is followed by its own agents' turns",
    );
  });

  test("ten rapid async sends run one at a time in order; past the limit 429 stores nothing", async () => {
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const contents = Array.from({ length: 10 }, (_, i) => (i === 0 ? LONG : `question ${i}`));
    const acks: Awaited<ReturnType<Api>>[] = [];
    for (const content of contents) acks.push(await api("POST", `/api/sessions/${id}/send/`, { content, async: true }));
    assert.deepEqual(
      acks.map((a) => a.status),
      Array(10).fill(202),
    );
    assert.equal(acks[0].json.status, "running");
    assert.deepEqual(
      acks.slice(1).map((a) => [a.json.status, a.json.position]),
      Array.from({ length: 9 }, (_, i) => ["queued", i + 1]),
    );
    const queue = (await api("GET", `/api/sessions/${id}/queue/`)).json;
    assert.deepEqual(
      queue.map((q: any) => q.content),
      contents.slice(1),
    );
    // Queued messages are not in the history yet: they join when their run starts.
    assert.ok(!(await api("GET", `/api/sessions/${id}/history/`)).json.some((m: any) => m.content === "question 1"));

    const before = (await api("GET", `/api/sessions/${id}/history/?versions=all`)).json.length;
    const full = await api("POST", `/api/sessions/${id}/send/`, { content: "one too many", async: true });
    assert.equal(full.status, 429, full.text);
    assert.match(full.json.detail, /TANDEM_QUEUE_LIMIT/);
    assert.equal((await api("GET", `/api/sessions/${id}/history/?versions=all`)).json.length, before, "nothing stored");

    const runs = await settled(api, id);
    assert.equal(runs.length, 10, "the refused send left no run");
    assert.ok(runs.every((r: any) => r.status === "success"));
    assertOneAtATime(runs);
    const started = client.events("run_started").map((f) => f.payload!.run_id);
    assert.deepEqual(
      started,
      acks.map((a) => a.json.run_id),
      "FIFO",
    );
    assert.ok(client.events("run_queued").length === 9 && client.events("queue_updated").length >= 18);
    const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.deepEqual(
      history.filter((m: any) => m.role === "user").map((m: any) => m.content),
      contents,
    );
    for (const [i, m] of history.entries()) {
      if (m.role === "user") assert.notEqual(history[i + 1]?.role, "user", "each message is followed by its agents");
    }
    await client.close();
  });

  test("a queued run can be edited and removed; cancel keeps the queue and says so, or clears it", async () => {
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const running = await api("POST", `/api/sessions/${id}/send/`, { content: LONG, async: true });
    const b = await api("POST", `/api/sessions/${id}/send/`, { content: "remove me", async: true });
    const c = await api("POST", `/api/sessions/${id}/send/`, { content: "edit me", async: true });
    const d = await api("POST", `/api/sessions/${id}/send/`, { content: "cancelled with the queue", async: true });

    const edited = await api("PATCH", `/api/sessions/${id}/queue/${c.json.run_id}/`, { content: "edited" });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.json.content, "edited");
    assert.equal((await api("PATCH", `/api/sessions/${id}/queue/${c.json.run_id}/`, {})).status, 400);
    assert.equal(
      (await api("PATCH", `/api/sessions/${id}/queue/${running.json.run_id}/`, { content: "x" })).status,
      409,
      "a running run's message cannot be edited",
    );
    assert.equal((await api("DELETE", `/api/sessions/${id}/queue/${b.json.run_id}/`)).status, 204);
    assert.equal((await api("DELETE", `/api/sessions/${id}/queue/${b.json.run_id}/`)).status, 404);
    assert.equal((await api("DELETE", `/api/sessions/${id}/queue/${running.json.run_id}/`)).status, 404);
    const queue = (await api("GET", `/api/sessions/${id}/queue/`)).json;
    assert.deepEqual(
      queue.map((q: any) => [q.run_id, q.position, q.content]),
      [
        [c.json.run_id, 1, "edited"],
        [d.json.run_id, 2, "cancelled with the queue"],
      ],
    );
    const lastUpdate = await client.waitFor(
      (f) => f.event === "queue_updated" && f.payload!.queue.length === 2 && f.payload!.queue[0].content === "edited",
    );
    assert.ok(lastUpdate);

    await client.waitFor((f) => f.event === "agent_token");
    const cancel = await api("POST", `/api/sessions/${id}/cancel/`);
    assert.equal(cancel.status, 200, cancel.text);
    assert.deepEqual(cancel.json.queue, { pending: 2, next_run_id: c.json.run_id });
    // The next one starts; cancelling it with clear_queue drops the rest.
    await client.waitFor((f) => f.event === "run_started" && f.payload!.run_id === c.json.run_id);
    const clear = await api("POST", `/api/sessions/${id}/cancel/`, { clear_queue: true });
    assert.equal(clear.status, 200, clear.text);
    assert.deepEqual(clear.json.queue, { pending: 0, next_run_id: null });
    const runs = await settled(api, id);
    assert.deepEqual(
      runs.map((r: any) => [r.id, r.status]),
      [
        [running.json.run_id, "cancelled"],
        [c.json.run_id, "cancelled"],
      ],
    );
    const all = (await api("GET", `/api/sessions/${id}/history/?versions=all`)).json;
    assert.deepEqual(
      all.filter((m: any) => m.role === "user").map((m: any) => m.content),
      [LONG, "edited"],
      "removed messages are gone with their runs",
    );
    await client.close();
  });
});

describe("versions", () => {
  let server: TandemServer;
  let api: Api;
  before(async () => {
    server = await startServer({ env: { TANDEM_OFFLINE_DELAY_MS: "10" } });
    api = apiClient(server.url);
  });
  after(() => server.stop());
  const newSession = async () => (await api("POST", "/api/sessions/", {})).json.session_id as string;

  test("regenerate and edit keep old versions retrievable; history shows the active path; select switches", async () => {
    const id = await newSession();
    const first = await api("POST", `/api/sessions/${id}/send/`, { content: "What are tides?" });
    const second = await api("POST", `/api/sessions/${id}/send/`, { content: "And waves?" });
    assert.equal(second.status, 200);
    const secondRun = second.json[0].run_id;

    const regen = await api("POST", `/api/sessions/${id}/regenerate/`, {});
    assert.equal(regen.status, 200, regen.text);
    assert.equal(regen.json[0].id, second.json[0].id, "the same user message, answered again");
    const regenRun = regen.json[1].run_id;
    assert.notEqual(regenRun, secondRun);
    let history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.deepEqual(
      history.map((m: any) => m.id),
      [...first.json, ...regen.json].map((m: any) => m.id),
    );
    const all = (await api("GET", `/api/sessions/${id}/history/?versions=all`)).json;
    for (const m of [...first.json, ...second.json, ...regen.json]) assert.ok(all.some((x: any) => x.id === m.id));
    let turns = (await api("GET", `/api/sessions/${id}/turns/`)).json;
    assert.equal(turns.length, 2);
    assert.deepEqual(turns[1].versions, { index: 1, count: 2, run_ids: [secondRun, regenRun] });
    assert.equal(turns[1].kind, "regenerate");
    assert.deepEqual(
      turns[1].message_ids,
      regen.json.map((m: any) => m.id),
    );

    // Edit the first message: a new branch from the start.
    const edit = await api("POST", `/api/sessions/${id}/edit/`, {
      message_id: first.json[0].id,
      content: "What is the moon?",
    });
    assert.equal(edit.status, 200, edit.text);
    assert.equal(edit.json[0].metadata.edit_of, first.json[0].id);
    history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.deepEqual(
      history.map((m: any) => m.id),
      edit.json.map((m: any) => m.id),
    );
    turns = (await api("GET", `/api/sessions/${id}/turns/`)).json;
    assert.equal(turns.length, 1);
    assert.equal(turns[0].edits.count, 2);
    assert.equal(turns[0].edits.index, 1);
    assert.deepEqual(turns[0].edits.user_message_ids, [first.json[0].id, edit.json[0].id]);

    // Back to the first version of the first message: its newest continuation comes with it.
    const selected = await api("POST", `/api/sessions/${id}/select/`, { run_id: turns[0].edits.run_ids[0] });
    assert.equal(selected.status, 200, selected.text);
    history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.deepEqual(
      history.map((m: any) => m.id),
      [...first.json, ...regen.json].map((m: any) => m.id),
    );
    // And to the older answer of the second turn.
    assert.equal((await api("POST", `/api/sessions/${id}/select/`, { run_id: secondRun })).status, 200);
    history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.deepEqual(
      history.map((m: any) => m.id),
      [...first.json, ...second.json].map((m: any) => m.id),
    );
    // A new send continues from the path chosen.
    const third = await api("POST", `/api/sessions/${id}/send/`, { content: "Thanks" });
    const runs = (await api("GET", `/api/sessions/${id}/runs/`)).json;
    assert.equal(runs.find((r: any) => r.id === third.json[0].run_id).parent_run_id, secondRun);

    // Refusals.
    assert.equal((await api("POST", `/api/sessions/${id}/select/`, { run_id: 999_999 })).status, 404);
    assert.equal((await api("POST", `/api/sessions/${id}/select/`, {})).status, 400);
    const badEdit = await api("POST", `/api/sessions/${id}/edit/`, { message_id: second.json[1].id, content: "x" });
    assert.equal(badEdit.status, 400);
    assert.ok(badEdit.json.message_id, "a field error names message_id");
    assert.equal((await api("POST", `/api/sessions/${id}/edit/`, { content: "x" })).status, 400);
    assert.equal((await api("POST", `/api/sessions/${id}/regenerate/`, { run_id: "x" })).status, 400);
    assert.equal((await api("POST", `/api/sessions/${id}/retry/`, {})).status, 409, "the last run succeeded");
    assert.equal((await api("POST", `/api/sessions/${id}/continue/`, {})).status, 409, "the last run succeeded");
    const empty = await newSession();
    assert.equal((await api("POST", `/api/sessions/${empty}/regenerate/`, {})).status, 409, "no turn yet");
  });

  test("continue after a cancel appends to the cut-off message and runs the remaining agents", async () => {
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: LONG, async: true });
    await client.waitFor((f) => f.event === "agent_token" && f.payload!.agent === "researcher");
    const select = await api("POST", `/api/sessions/${id}/select/`, { run_id: sent.json.run_id });
    assert.equal(select.status, 409, "no switching while a run is going");
    assert.equal((await api("POST", `/api/sessions/${id}/cancel/`)).status, 200);
    const cut = (await api("GET", `/api/sessions/${id}/history/`)).json.find((m: any) => m.role === "agent");
    assert.equal(cut.metadata.cancelled, true);
    assert.equal(cut.agent.name, "researcher");

    const cont = await api("POST", `/api/sessions/${id}/continue/`, {});
    assert.equal(cont.status, 200, cont.text);
    const contRun = cont.json.find((m: any) => m.role === "agent" && m.agent.name === "writer").run_id;
    const grown = cont.json.find((m: any) => m.id === cut.id);
    assert.ok(grown, "the continued message is among the run's messages");
    assert.ok(grown.content.length > cut.content.length && grown.content.startsWith(cut.content));
    assert.equal(grown.metadata.cancelled, undefined);
    assert.equal(grown.metadata.continued_by, contRun);
    const tokens = client
      .events("agent_token")
      .filter((f) => f.payload!.run_id === contRun && f.payload!.message_id === cut.id);
    assert.equal(tokens[0].payload!.offset, cut.content.length, "streamed on from the old length");
    const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.deepEqual(
      history.map((m: any) => m.agent?.name ?? m.role),
      ["user", "researcher", "writer"],
      "the researcher was not run twice",
    );
    const turns = (await api("GET", `/api/sessions/${id}/turns/`)).json;
    assert.equal(turns.length, 1);
    assert.equal(turns[0].run_id, sent.json.run_id);
    assert.deepEqual(turns[0].continued_by, [contRun]);
    assert.equal(turns[0].status, "success");
    assert.equal((await api("POST", `/api/sessions/${id}/continue/`, {})).status, 409);
    await client.close();
  });
});

describe("steer and failures (OpenAI-compatible stub)", () => {
  let stub: OpenAIStub;
  let server: TandemServer;
  let api: Api;
  before(async () => {
    stub = await startOpenAIStub();
    server = await startServer({
      env: {
        OPENAI_API_KEY: "sk-test",
        OPENAI_BASE_URL: stub.baseURL,
        TANDEM_MODEL: "stub-model",
        TANDEM_MODEL_RETRIES: "0",
        LOG_LEVEL: "warn",
      },
    });
    api = apiClient(server.url);
  });
  after(async () => {
    await server.stop();
    await stub.close();
  });
  const newSession = async () => (await api("POST", "/api/sessions/", {})).json.session_id as string;
  const systemOf = (body: any) => body.messages.find((m: any) => m.role === "system")?.content ?? "";

  test("a steer sent during the researcher's turn reaches the writer's model input", async () => {
    stub.setBehaviors([
      { kind: "reply", reply: { text: "Notes on the topic, at length." }, chunks: 20, chunkDelayMs: 60 },
    ]);
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const from = stub.requests.length;
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "Tell me about tides", async: true });
    await client.waitFor((f) => f.event === "agent_token" && f.payload!.agent === "researcher");
    const steer = await api("POST", `/api/sessions/${id}/send/`, { content: "Focus on spring tides", steer: true });
    assert.equal(steer.status, 202, steer.text);
    assert.equal(steer.json.status, "steering");
    assert.equal(steer.json.run_id, sent.json.run_id);
    assert.equal(steer.json.message.metadata.steer, true);
    await client.waitFor((f) => f.event === "message_created" && f.payload!.message_id === steer.json.message.id);
    await client.waitFor((f) => f.event === "run_completed");

    const bodies = stub.requests.slice(from).map((r) => r.body);
    const researcher = bodies.find((b) => /You are researcher/.test(systemOf(b)));
    const writer = bodies.find((b) => /You are writer/.test(systemOf(b)));
    const guidance = "Guidance from the user while you were working: Focus on spring tides";
    assert.ok(!JSON.stringify(researcher.messages).includes("spring tides"), "the researcher had started");
    assert.ok(
      writer.messages.some((m: any) => m.role === "user" && String(m.content).includes(guidance)),
      JSON.stringify(writer.messages),
    );
    const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.ok(history.some((m: any) => m.id === steer.json.message.id && m.run_id === sent.json.run_id));
    // With no run going, a steer is an ordinary send (sync: the run's messages).
    stub.setBehaviors([]);
    const plain = await api("POST", `/api/sessions/${id}/send/`, { content: "And neap tides?", steer: true });
    assert.equal(plain.status, 200, plain.text);
    assert.equal(plain.json[0].content, "And neap tides?");
    assert.notEqual(plain.json[0].run_id, sent.json.run_id);
    await client.close();
  });

  test("a provider 503 fails the run on its turn (logged with the run id, message kept); retry answers again", async () => {
    stub.setBehaviors([{ kind: "status", status: 503, times: 1 }]);
    const id = await newSession();
    const failed = await api("POST", `/api/sessions/${id}/send/`, { content: "Will this fail?" });
    assert.equal(failed.status, 502, failed.text);
    const runId = failed.json.run_id;
    assert.match(failed.json.detail, /HTTP 503/);
    // After a reload: the message and its failed turn, with the reason.
    const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
    assert.equal(history[0].content, "Will this fail?");
    const turns = (await api("GET", `/api/sessions/${id}/turns/`)).json;
    assert.equal(turns[0].run_id, runId);
    assert.equal(turns[0].status, "error");
    assert.match(turns[0].error, /HTTP 503/);
    await server.logEntry((l) => l.level === 40 && l.run_id === runId && /HTTP 503/.test(l.reason));

    const retry = await api("POST", `/api/sessions/${id}/retry/`, {});
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.json[0].id, history[0].id, "the same message, answered again");
    const after = (await api("GET", `/api/sessions/${id}/turns/`)).json;
    assert.equal(after.length, 1);
    assert.equal(after[0].kind, "retry");
    assert.equal(after[0].status, "success");
    assert.deepEqual(after[0].versions.run_ids, [runId, retry.json[1].run_id]);
  });
});

describe("queue across instances (PostgreSQL)", () => {
  test("sends spread over two instances run in order; a SIGKILL leaves none of the queue behind", async (t) => {
    const pg = await freshPostgresUrl("queue");
    if (!pg) {
      if (requireServices()) throw new Error("PostgreSQL is required but unreachable");
      return t.skip("PostgreSQL is not reachable");
    }
    t.after(() => pg.drop());
    const env = { TANDEM_OFFLINE_DELAY_MS: "10", TANDEM_RUN_LEASE_MS: "1500" };
    const [a, b] = await Promise.all([
      startServer({ databaseUrl: pg.url, env }),
      startServer({ databaseUrl: pg.url, env }),
    ]);
    t.after(() => Promise.all([a.stop(), b.stop()]));
    const apis = [apiClient(a.url), apiClient(b.url)];

    // Spread: alternate instances, some sync (waiting for their run wherever it runs).
    const id = (await apis[0]("POST", "/api/sessions/", {})).json.session_id;
    const contents = ["one", "two", "three", "four", "five", "six"];
    const answers = await Promise.all(
      contents.map(async (content, i) => {
        await new Promise((r) => setTimeout(r, i * 30));
        return apis[i % 2]("POST", `/api/sessions/${id}/send/`, { content, async: i % 3 !== 0 });
      }),
    );
    for (const [i, answer] of answers.entries()) {
      assert.equal(answer.status, i % 3 !== 0 ? 202 : 200, answer.text);
      if (answer.status === 200) assert.equal(answer.json[0].content, contents[i]);
    }
    const runs = await settled(apis[1], id);
    assert.ok(runs.every((r: any) => r.status === "success"));
    assertOneAtATime(runs);
    // In the order the sends were accepted (their run ids: an instance's first request is slower).
    const runOf = (answer: (typeof answers)[number]) =>
      answer.status === 202 ? answer.json.run_id : answer.json[0].run_id;
    const accepted = contents
      .map((content, i) => ({ content, run: runOf(answers[i]) }))
      .sort((x, y) => x.run - y.run)
      .map((x) => x.content);
    const history = (await apis[1]("GET", `/api/sessions/${id}/history/`)).json;
    assert.deepEqual(
      history.filter((m: any) => m.role === "user").map((m: any) => m.content),
      accepted,
    );
    assert.match(shape(history), /^(user:\S+ agent agent ?)+$/);

    // A runs a long run with three waiting; A dies; B recovers the run and runs the queue.
    const id2 = (await apis[0]("POST", "/api/sessions/", {})).json.session_id;
    const client = await ChatClient.connect(`${a.wsUrl}/ws/chat/${id2}/`);
    const long = await apis[0]("POST", `/api/sessions/${id2}/send/`, { content: LONG, async: true });
    const waiting: number[] = [];
    for (const content of ["after one", "after two", "after three"]) {
      waiting.push((await apis[0]("POST", `/api/sessions/${id2}/send/`, { content, async: true })).json.run_id);
    }
    await client.waitFor((f) => f.event === "agent_token");
    await a.kill();
    const after = await settled(apis[1], id2, 90_000);
    assert.equal(after.find((r: any) => r.id === long.json.run_id).status, "error");
    assert.deepEqual(
      after.filter((r: any) => waiting.includes(r.id)).map((r: any) => r.status),
      ["success", "success", "success"],
    );
    const history2 = (await apis[1]("GET", `/api/sessions/${id2}/history/`)).json;
    assert.deepEqual(
      history2.filter((m: any) => m.role === "user").map((m: any) => m.content),
      [LONG, "after one", "after two", "after three"],
    );
  });
});

/**
 * The whole model path against an OpenAI-compatible provider: a real Tandem server (production
 * build) configured with OPENAI_API_KEY/OPENAI_BASE_URL pointing at the local Chat Completions
 * stub (test/support/openai-stub.ts), driven through REST and a real WebSocket client.
 *
 * Covers streaming, tool calls, provider faults (rate limits, 5xx, bad credentials, unreadable
 * streams, hangs, dropped connections, an unreachable provider) and cancellation.
 *
 * Run: node --import tsx --test test/providers.test.ts
 * (needs a production build in NEXT_DIST_DIR, default .next-test; see test/support/server.ts)
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  type OpenAIStub,
  type StubReply,
  type StubRequest,
  startOpenAIStub,
  toolMessages,
} from "./support/openai-stub";
import { freePort, startServer, type TandemServer, TEST_DIST_DIR } from "./support/server";
import { ChatClient, type Frame } from "./support/ws";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** The environment every server of this file gets (plus OPENAI_BASE_URL and per-group limits). */
const providerEnv = (baseURL: string, extra: Record<string, string> = {}): Record<string, string> => ({
  NEXT_DIST_DIR: TEST_DIST_DIR,
  OPENAI_API_KEY: "sk-test",
  OPENAI_BASE_URL: baseURL,
  TANDEM_MODEL: "stub-model",
  TANDEM_MODEL_RETRIES: "1",
  TANDEM_AGENT_TIMEOUT_MS: "10000",
  ...extra,
});

interface ApiResult {
  status: number;
  text: string;
  json: any;
}

async function api(server: TandemServer, method: string, path: string, body?: unknown): Promise<ApiResult> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    redirect: "manual",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

let counter = 0;
/** A new session (with the default researcher → writer team) and a WebSocket client on it. */
async function openSession(server: TandemServer): Promise<{ id: string; ws: ChatClient }> {
  const id = `prov-${Date.now().toString(36)}-${counter++}`;
  // Titled, so no title is generated after the first run: each test counts the agents' model requests.
  const res = await api(server, "POST", "/api/sessions/", { session_id: id, title: "Provider test" });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(
    res.json.assignments.map((a: any) => a.agent.name),
    ["researcher", "writer"],
  );
  const ws = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
  return { id, ws };
}

/** The system prompt of a chat-completions request body ("" if none). */
function systemText(body: any): string {
  const m = (body?.messages ?? []).find((x: any) => x?.role === "system");
  if (!m) return "";
  return typeof m.content === "string" ? m.content : (m.content ?? []).map((p: any) => p?.text ?? "").join("");
}

/** Which default agent sent a request, from its system prompt. */
function agentOf(req: StubRequest): "researcher" | "writer" | "unknown" {
  const s = systemText(req.body);
  if (s.includes("You are researcher")) return "researcher";
  if (s.includes("You are writer")) return "writer";
  return "unknown";
}

/** Every message's text content of a request body, joined (to look for earlier turns). */
function allText(body: any): string {
  return (body?.messages ?? [])
    .map((m: any) =>
      typeof m.content === "string" ? m.content : (m.content ?? []).map((p: any) => p?.text ?? "").join(""),
    )
    .join("\n---\n");
}

const chatRequests = (stub: OpenAIStub, from = 0) =>
  stub.requests.slice(from).filter((r) => r.path.replace(/\/+$/, "") === "/v1/chat/completions");

const framesOfRun = (ws: ChatClient, runId: number, event?: string) =>
  ws.events(event).filter((f) => f.payload?.run_id === runId);

const waitForRunEnd = (ws: ChatClient, runId: number, timeoutMs = 15_000): Promise<Frame> =>
  ws.waitFor(
    (f) => ["run_completed", "run_error", "run_cancelled"].includes(f.event) && f.payload?.run_id === runId,
    timeoutMs,
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Text of the researcher's notes and the writer's answer in the streaming scenarios. */
const RESEARCH_TEXT = "Notes: Paris is the capital of France; population about 2.1 million (2023).";
const WRITER_TEXT = "Paris is the capital of France, home to roughly 2.1 million people.";

/** Answers differently for each agent (told apart by its system prompt). */
const perAgentReply = (req: StubRequest): StubReply =>
  agentOf(req) === "researcher"
    ? { text: RESEARCH_TEXT, usage: { prompt_tokens: 111, completion_tokens: 22 } }
    : agentOf(req) === "writer"
      ? { text: WRITER_TEXT, usage: { prompt_tokens: 333, completion_tokens: 44 } }
      : { text: `unexpected system prompt: ${systemText(req.body).slice(0, 80)}` };

/**
 * A TCP proxy in front of the stub that records each connection's life, so a test can see that
 * Tandem really closed the provider connection (aborted the request) rather than reading on.
 */
interface Conn {
  openedAt: number;
  closedAt?: number;
  bytesFromUpstream: number;
}
async function startProxy(targetPort: number): Promise<{ port: number; conns: Conn[]; close(): Promise<void> }> {
  const conns: Conn[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const conn: Conn = { openedAt: Date.now(), bytesFromUpstream: 0 };
    conns.push(conn);
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    upstream.on("data", (d) => (conn.bytesFromUpstream += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => {
      conn.closedAt ??= Date.now();
      upstream.destroy();
    });
    upstream.on("close", () => client.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    port,
    conns,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 1 + 2. Streaming and tool calls
// ---------------------------------------------------------------------------------------------

describe("OpenAI-compatible provider: streaming and tools", () => {
  let stub: OpenAIStub;
  let server: TandemServer;
  const clients: ChatClient[] = [];

  before(async () => {
    stub = await startOpenAIStub();
    server = await startServer({ env: providerEnv(stub.baseURL) });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await server?.stop();
    await stub?.close();
  });

  test("a send streams each agent's text from the provider and stores it with the provider's usage", async () => {
    stub.setBehaviors([{ kind: "reply", reply: perAgentReply, chunks: 4, chunkDelayMs: 60 }]);
    const from = stub.requests.length;
    const { id, ws } = await openSession(server);
    clients.push(ws);

    const res = await api(server, "POST", `/api/sessions/${id}/send/`, { content: "What is the capital of France?" });
    assert.equal(res.status, 200, res.text);
    const [user, researcher, writer, ...rest] = res.json;
    assert.equal(rest.length, 0, res.text);
    assert.equal(user.role, "user");
    assert.equal(user.content, "What is the capital of France?");

    assert.equal(researcher.role, "agent");
    assert.equal(researcher.agent.name, "researcher");
    assert.equal(researcher.content, RESEARCH_TEXT);
    assert.equal(researcher.tokens_prompt, 111);
    assert.equal(researcher.tokens_completion, 22);
    assert.equal(researcher.metadata.model, "stub-model");
    assert.equal(researcher.metadata.provider, "openai");
    assert.equal(researcher.metadata.partial, undefined);
    assert.equal(researcher.metadata.streaming, undefined, "the streaming marker is cleared at the end");

    assert.equal(writer.role, "agent");
    assert.equal(writer.agent.name, "writer");
    assert.equal(writer.content, WRITER_TEXT);
    assert.equal(writer.tokens_prompt, 333);
    assert.equal(writer.tokens_completion, 44);
    assert.equal(writer.metadata.model, "stub-model");

    // WebSocket: tokens before each agent's turn, deltas adding up to the stored content.
    const runId = researcher.metadata.run_id;
    assert.equal(typeof runId, "number");
    assert.equal(writer.metadata.run_id, runId);
    await ws.waitFor((f) => f.event === "run_completed" && f.payload?.run_id === runId);
    const frames = ws.events();
    const idx = (test: (f: Frame) => boolean) => frames.findIndex(test);
    for (const [agent, message] of [
      ["researcher", researcher],
      ["writer", writer],
    ] as const) {
      const tokenIdx = frames.flatMap((f, i) =>
        f.event === "agent_token" && f.payload?.run_id === runId && f.payload?.agent === agent ? [i] : [],
      );
      const turnIdx = idx(
        (f) => f.event === "agent_turn" && f.payload?.agent === agent && f.payload?.message_id === message.id,
      );
      assert.ok(turnIdx >= 0, `${agent}: agent_turn frame`);
      assert.ok(tokenIdx.length > 0, `${agent}: agent_token frames`);
      assert.ok(
        tokenIdx.every((i) => i < turnIdx),
        `${agent}: every token before its agent_turn`,
      );
      assert.equal(
        tokenIdx.map((i) => frames[i].payload!.delta).join(""),
        message.content,
        `${agent}: deltas concatenate to the content`,
      );
      assert.ok(
        tokenIdx.every((i) => frames[i].payload!.message_id === message.id),
        `${agent}: tokens name the message`,
      );
      assert.equal(frames[turnIdx].payload!.content, message.content);
    }
    assert.ok(
      framesOfRun(ws, runId, "agent_token").filter((f) => f.payload!.agent === "researcher").length > 1,
      "a slow stream arrives as several token frames, not one buffered frame",
    );
    const researcherTurn = idx((f) => f.event === "agent_turn" && f.payload?.agent === "researcher");
    const firstWriterToken = idx((f) => f.event === "agent_token" && f.payload?.agent === "writer");
    assert.ok(researcherTurn < firstWriterToken, "the writer streams after the researcher's turn");

    // What the provider was asked.
    const reqs = chatRequests(stub, from);
    assert.deepEqual(
      stub.requests.slice(from).map((r) => r.path),
      ["/v1/chat/completions", "/v1/chat/completions"],
      "only the Chat Completions API is used",
    );
    assert.equal(reqs.length, 2);
    assert.deepEqual(reqs.map(agentOf), ["researcher", "writer"]);
    for (const r of reqs) {
      assert.equal(r.body.model, "stub-model");
      assert.equal(r.body.stream, true);
      assert.equal(r.headers.authorization, "Bearer sk-test");
      assert.equal(r.body.messages[0].role, "system");
    }
    assert.match(systemText(reqs[0].body), /Research Analyst/);
    assert.match(systemText(reqs[1].body), /Technical Writer/);
    assert.ok(allText(reqs[0].body).includes("What is the capital of France?"), "the researcher sees the question");
    assert.ok(!allText(reqs[0].body).includes(RESEARCH_TEXT), "the researcher's request precedes its notes");
    assert.ok(allText(reqs[1].body).includes(RESEARCH_TEXT), "the writer is shown the researcher's notes");
    assert.ok(allText(reqs[1].body).includes("What is the capital of France?"), "the writer sees the question");

    const runs = await api(server, "GET", `/api/sessions/${id}/runs/`);
    assert.equal(runs.json[0].id, runId);
    assert.equal(runs.json[0].status, "success");
    assert.equal(runs.json[0].extra.tokens_prompt, 111 + 333);
    assert.equal(runs.json[0].extra.tokens_completion, 22 + 44);
  });

  test("the researcher calls calculator through the provider and reads its result; the writer gets no tools", async () => {
    stub.setBehaviors([
      {
        kind: "reply",
        reply: (req) => {
          if (agentOf(req) === "writer")
            return { text: "6 × 7 = 42.", usage: { prompt_tokens: 50, completion_tokens: 6 } };
          const results = toolMessages(req.body);
          if (results.length === 0) {
            return {
              toolCalls: [{ name: "calculator", arguments: { expression: "6*7" } }],
              usage: { prompt_tokens: 10, completion_tokens: 5 },
            };
          }
          return { text: `Calculator says: ${results[0].content}`, usage: { prompt_tokens: 20, completion_tokens: 7 } };
        },
      },
    ]);
    const from = stub.requests.length;
    const { id, ws } = await openSession(server);
    clients.push(ws);

    const res = await api(server, "POST", `/api/sessions/${id}/send/`, { content: "What is 6 times 7?" });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.json.map((m: any) => m.role),
      ["user", "tool", "agent", "agent"],
      res.text,
    );
    const [, toolMsg, researcher, writer] = res.json;
    assert.equal(toolMsg.tool_name, "calculator");
    assert.equal(toolMsg.agent.name, "researcher");
    assert.deepEqual(toolMsg.tool_input, { expression: "6*7" });
    assert.equal(toolMsg.tool_output.result, 42);
    assert.equal(researcher.agent.name, "researcher");
    assert.match(researcher.content, /^Calculator says: .*"result":\s*42/, "the tool result went back to the model");
    assert.equal(researcher.tokens_prompt, 10 + 20, "usage summed over both steps");
    assert.equal(researcher.tokens_completion, 5 + 7);
    assert.equal(writer.agent.name, "writer");
    assert.equal(writer.content, "6 × 7 = 42.");

    const runId = researcher.metadata.run_id;
    await ws.waitFor((f) => f.event === "run_completed" && f.payload?.run_id === runId);
    const calls = framesOfRun(ws, runId, "tool_call");
    const results = framesOfRun(ws, runId, "tool_result");
    assert.equal(calls.length, 1);
    assert.equal(results.length, 1);
    assert.equal(calls[0].payload!.tool_name, "calculator");
    assert.equal(calls[0].payload!.agent, "researcher");
    assert.deepEqual(calls[0].payload!.input, { expression: "6*7" });
    assert.equal(results[0].payload!.output.result, 42);
    assert.equal(results[0].payload!.message_id, toolMsg.id);
    assert.equal(results[0].payload!.tool_call_id, calls[0].payload!.tool_call_id);
    assert.ok(ws.frames.indexOf(calls[0]) < ws.frames.indexOf(results[0]), "tool_call before tool_result");

    const reqs = chatRequests(stub, from);
    assert.deepEqual(reqs.map(agentOf), ["researcher", "researcher", "writer"]);
    const offered = (reqs[0].body.tools ?? []).map((t: any) => t.function?.name).sort();
    assert.deepEqual(offered, ["calculator", "current_time", "session_search"], "the researcher is offered its tools");
    assert.equal(toolMessages(reqs[0].body).length, 0);
    const sentBack = toolMessages(reqs[1].body);
    assert.equal(sentBack.length, 1, "the second request carries the tool result");
    assert.equal(sentBack[0].tool_call_id, calls[0].payload!.tool_call_id);
    assert.equal(JSON.parse(sentBack[0].content).result, 42);
    assert.equal(reqs[2].body.tools, undefined, "the writer is offered no tools");
    assert.equal(toolMessages(reqs[2].body).length, 0);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Faults
// ---------------------------------------------------------------------------------------------

describe("OpenAI-compatible provider: faults", () => {
  let stub: OpenAIStub;
  let server: TandemServer;
  const clients: ChatClient[] = [];

  before(async () => {
    stub = await startOpenAIStub();
    server = await startServer({
      env: providerEnv(stub.baseURL, { TANDEM_MODEL_RETRIES: "1", TANDEM_AGENT_TIMEOUT_MS: "2500" }),
    });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await server?.stop();
    await stub?.close();
  });

  /**
   * Sends synchronously and checks what every failed run must show: 502 `{detail, run_id}`, the
   * run log `error` with the same details, a `run_error` frame, the user's message kept.
   */
  async function failingSend(content: string) {
    const { id, ws } = await openSession(server);
    clients.push(ws);
    const started = Date.now();
    const res = await api(server, "POST", `/api/sessions/${id}/send/`, { content });
    const elapsed = Date.now() - started;
    assert.equal(res.status, 502, res.text);
    assert.deepEqual(Object.keys(res.json).sort(), ["detail", "run_id"], res.text);
    const { detail, run_id: runId } = res.json;
    assert.equal(typeof runId, "number");
    assert.equal(typeof detail, "string");
    assert.ok(detail.length > 20, detail);

    const end = await waitForRunEnd(ws, runId);
    assert.equal(end.event, "run_error");
    assert.equal(end.payload!.error, detail, "run_error carries the same words");

    const runs = await api(server, "GET", `/api/sessions/${id}/runs/`);
    assert.equal(runs.status, 200);
    assert.equal(runs.json.length, 1);
    assert.equal(runs.json[0].id, runId);
    assert.equal(runs.json[0].status, "error");
    assert.equal(runs.json[0].details, detail);
    assert.equal(runs.json[0].extra.error, detail);

    const history = await api(server, "GET", `/api/sessions/${id}/history/`);
    assert.equal(history.status, 200);
    assert.equal(history.json[0].role, "user");
    assert.equal(history.json[0].content, content, "the user's message is kept");

    const state = await api(server, "GET", `/api/sessions/${id}/state/`);
    assert.equal(state.json.run, null, "the session's run slot is free again");
    return { id, ws, detail, runId, history: history.json as any[], elapsed };
  }

  test("a 429 once, then success: the run retries and succeeds", async () => {
    stub.setBehaviors([
      { kind: "status", status: 429, times: 1, retryAfter: "0" },
      { kind: "reply", reply: perAgentReply },
    ]);
    const from = stub.requests.length;
    const { id, ws } = await openSession(server);
    clients.push(ws);
    const res = await api(server, "POST", `/api/sessions/${id}/send/`, { content: "Rate limited?" });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.json.map((m: any) => m.agent?.name ?? m.role),
      ["user", "researcher", "writer"],
    );
    assert.equal(res.json[1].content, RESEARCH_TEXT);
    assert.equal(res.json[2].content, WRITER_TEXT);
    const reqs = chatRequests(stub, from);
    assert.deepEqual(reqs.map(agentOf), ["researcher", "researcher", "writer"], "the rate-limited request was retried");
    const runs = await api(server, "GET", `/api/sessions/${id}/runs/`);
    assert.equal(runs.json[0].status, "success");
  });

  test("a permanent 500 fails the run with a 502 that names the HTTP status", async () => {
    stub.setBehaviors([{ kind: "status", status: 500, retryAfter: "0" }]);
    const from = stub.requests.length;
    const { detail, history } = await failingSend("Server error?");
    assert.match(detail, /HTTP 500/);
    assert.match(detail, /retr/i, "says it was retried");
    assert.deepEqual(
      history.map((m) => m.role),
      ["user"],
      "no empty agent message is left behind",
    );
    const reqs = chatRequests(stub, from);
    assert.deepEqual(
      reqs.map(agentOf),
      ["researcher", "researcher"],
      "one retry (TANDEM_MODEL_RETRIES=1), and the writer never ran",
    );
  });

  test("a 401 fails the run with an error that points at the API key", async () => {
    stub.setBehaviors([{ kind: "status", status: 401 }]);
    const from = stub.requests.length;
    const { detail } = await failingSend("Bad key?");
    assert.match(detail, /OPENAI_API_KEY/);
    assert.match(detail, /401/);
    assert.equal(chatRequests(stub, from).length, 1, "bad credentials are not retried");
  });

  test("an unreadable stream fails the run and keeps the user's message", async () => {
    stub.setBehaviors([{ kind: "garbage" }]);
    const from = stub.requests.length;
    const { detail, history } = await failingSend("Garbage?");
    assert.match(detail, /could not be read/i);
    assert.deepEqual(
      history.map((m) => m.role),
      ["user"],
    );
    assert.deepEqual(chatRequests(stub, from).map(agentOf), ["researcher"]);
  });

  test("a provider that never answers times out after TANDEM_AGENT_TIMEOUT_MS and no run stays running", async () => {
    stub.setBehaviors([{ kind: "hang" }]);
    const { id, detail, elapsed } = await failingSend("Hang?");
    assert.match(detail, /TANDEM_AGENT_TIMEOUT_MS/);
    assert.match(detail, /2500 ms/);
    assert.ok(elapsed >= 700, `timed out too early (${elapsed} ms)`);
    assert.ok(elapsed < 5000, `timed out too late (${elapsed} ms)`);
    const running = await api(server, "GET", `/api/sessions/${id}/runs/?status=running`);
    assert.equal(running.status, 200);
    assert.deepEqual(running.json, []);
  });

  test("a connection dropped mid-stream fails the run and keeps the partial text, marked partial", async () => {
    // The stub splits the text into afterChunks + 1 = 4 pieces of 4 characters and sends 3.
    stub.setBehaviors([{ kind: "drop-mid-stream", afterChunks: 3, text: "alpha-beta-gamma" }]);
    const { ws, detail, runId, history } = await failingSend("Drop?");
    assert.deepEqual(
      history.map((m) => m.role),
      ["user", "agent"],
    );
    const partial = history[1];
    assert.equal(partial.agent.name, "researcher");
    assert.equal(partial.content, "alpha-beta-g");
    assert.equal(partial.metadata.partial, true);
    assert.equal(partial.metadata.error, detail);
    assert.equal(partial.metadata.model, "stub-model");
    assert.equal(partial.metadata.cancelled, undefined);
    const turn = framesOfRun(ws, runId).find((f) => f.event === "agent_turn");
    assert.ok(turn, "the partial turn is announced");
    assert.equal(turn.payload!.message_id, partial.id);
    assert.equal(turn.payload!.content, "alpha-beta-g");
    const tokens = framesOfRun(ws, runId, "agent_token")
      .map((f) => f.payload!.delta)
      .join("");
    assert.equal(tokens, "alpha-beta-g");
  });
});

describe("OpenAI-compatible provider: unreachable", () => {
  let server: TandemServer;
  let ws: ChatClient | undefined;

  before(async () => {
    const closedPort = await freePort(); // listened on, then closed: nothing answers there
    server = await startServer({
      env: providerEnv(`http://127.0.0.1:${closedPort}/v1`, { TANDEM_MODEL_RETRIES: "0" }),
    });
  });
  after(async () => {
    await ws?.close();
    await server?.stop();
  });

  test("a provider that cannot be reached fails the run with an error saying so", async () => {
    const session = await openSession(server);
    ws = session.ws;
    const res = await api(server, "POST", `/api/sessions/${session.id}/send/`, { content: "Anyone there?" });
    assert.equal(res.status, 502, res.text);
    assert.match(res.json.detail, /could not reach the model provider/i);
    assert.match(res.json.detail, /OPENAI_BASE_URL/);
    const end = await waitForRunEnd(ws, res.json.run_id);
    assert.equal(end.event, "run_error");
    const runs = await api(server, "GET", `/api/sessions/${session.id}/runs/`);
    assert.equal(runs.json[0].status, "error");
    assert.equal(runs.json[0].details, res.json.detail);
    const history = await api(server, "GET", `/api/sessions/${session.id}/history/`);
    assert.deepEqual(
      history.json.map((m: any) => [m.role, m.content]),
      [["user", "Anyone there?"]],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Cancellation
// ---------------------------------------------------------------------------------------------

describe("OpenAI-compatible provider: cancellation", () => {
  let stub: OpenAIStub;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let server: TandemServer;
  let ws: ChatClient | undefined;

  // 100 chunks 100 ms apart: about ten seconds if nobody stops it.
  const SLOW_TEXT = Array.from({ length: 100 }, (_, i) => `w${String(i).padStart(2, "0")} `).join("");
  const CHUNKS = 100;
  const CHUNK_DELAY_MS = 100;

  before(async () => {
    stub = await startOpenAIStub();
    proxy = await startProxy(Number(new URL(stub.baseURL).port));
    server = await startServer({
      env: providerEnv(`http://127.0.0.1:${proxy.port}/v1`, { TANDEM_AGENT_TIMEOUT_MS: "30000" }),
    });
  });
  after(async () => {
    await ws?.close();
    await server?.stop();
    await proxy?.close();
    await stub?.close();
  });

  test("cancel stops the streaming agent, keeps its partial text, aborts the provider request; the session works again", async () => {
    stub.setBehaviors([{ kind: "reply", reply: { text: SLOW_TEXT }, chunks: CHUNKS, chunkDelayMs: CHUNK_DELAY_MS }]);
    const session = await openSession(server);
    ws = session.ws;
    const sent = Date.now();
    const accepted = await api(server, "POST", `/api/sessions/${session.id}/send/`, {
      content: "Tell me slowly.",
      async: true,
    });
    assert.equal(accepted.status, 202, accepted.text);
    const runId = accepted.json.run_id;
    assert.equal(typeof runId, "number");
    assert.equal(accepted.json.message.role, "user");
    assert.equal(accepted.json.message.content, "Tell me slowly.");

    await ws.waitFor((f) => f.event === "agent_token" && f.payload?.run_id === runId, 5000);
    // Let a few more chunks arrive, so the partial text is more than the first piece.
    await sleep(3 * CHUNK_DELAY_MS);
    assert.equal(proxy.conns.length, 1, "one provider connection carries the researcher's request");
    assert.equal(proxy.conns[0].closedAt, undefined, "the provider request is still streaming");

    const cancelAt = Date.now();
    const cancel = await api(server, "POST", `/api/sessions/${session.id}/cancel/`);
    assert.equal(cancel.status, 200, cancel.text);
    assert.deepEqual(cancel.json, { run_id: runId, status: "cancelled", queue: { pending: 0, next_run_id: null } });
    assert.ok(
      Date.now() - sent < (CHUNKS * CHUNK_DELAY_MS) / 2,
      "cancel answered long before the stream would have ended",
    );

    const end = await waitForRunEnd(ws, runId);
    assert.equal(end.event, "run_cancelled");
    assert.equal(framesOfRun(ws, runId, "run_error").length, 0);
    assert.equal(framesOfRun(ws, runId, "run_completed").length, 0);

    const runs = await api(server, "GET", `/api/sessions/${session.id}/runs/`);
    assert.equal(runs.json[0].id, runId);
    assert.equal(runs.json[0].status, "cancelled");

    const history = await api(server, "GET", `/api/sessions/${session.id}/history/`);
    assert.deepEqual(
      history.json.map((m: any) => m.agent?.name ?? m.role),
      ["user", "researcher"],
      "the writer never started",
    );
    const partial = history.json[1];
    assert.equal(partial.metadata.cancelled, true);
    assert.equal(partial.metadata.partial, undefined);
    assert.ok(partial.content.length > 0, "the partial text is kept");
    assert.ok(partial.content.length < SLOW_TEXT.length, "and it is only part of the answer");
    assert.ok(SLOW_TEXT.startsWith(partial.content), `a prefix of the answer: ${JSON.stringify(partial.content)}`);
    const delivered = framesOfRun(ws, runId, "agent_token")
      .map((f) => f.payload!.delta)
      .join("");
    assert.equal(partial.content, delivered, "the stored text is exactly what the tokens delivered");

    // The provider request was aborted: its connection closed right after the cancel.
    const deadline = Date.now() + 2000;
    while (proxy.conns[0].closedAt === undefined && Date.now() < deadline) await sleep(20);
    assert.ok(proxy.conns[0].closedAt !== undefined, "Tandem closed the provider connection");
    assert.ok(proxy.conns[0].closedAt! - cancelAt < 2000, "promptly");
    assert.equal(chatRequests(stub).length, 1, "no further provider request (the writer did not run)");

    const state = await api(server, "GET", `/api/sessions/${session.id}/state/`);
    assert.equal(state.json.run, null);

    // The session takes a new message.
    stub.setBehaviors([{ kind: "reply", reply: perAgentReply }]);
    const again = await api(server, "POST", `/api/sessions/${session.id}/send/`, { content: "Again, quickly." });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(
      again.json.map((m: any) => m.agent?.name ?? m.role),
      ["user", "researcher", "writer"],
    );
    assert.equal(again.json[1].content, RESEARCH_TEXT);
    assert.equal(again.json[2].content, WRITER_TEXT);
    const runsAfter = await api(server, "GET", `/api/sessions/${session.id}/runs/`);
    assert.deepEqual(
      runsAfter.json.map((r: any) => r.status),
      ["success", "cancelled"],
    );
  });
});

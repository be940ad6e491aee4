/**
 * Records the event logs that test/client-*.test.ts replay: a real server (the test build), a real
 * WebSocket client, and what REST answered, written to test/fixtures/client/<name>.json.
 *
 * Run after a build (see test/support/server.ts), then review the diff:
 *   node --import tsx test/support/record-client-fixtures.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startOpenAIStub } from "./openai-stub";
import { startServer, type TandemServer, TEST_DIST_DIR } from "./server";
import { ChatClient, type Frame } from "./ws";

const OUT = path.resolve("test/fixtures/client");

export interface Recording {
  /** What was done, in words. */
  scenario: string;
  session_id: string;
  /** The answer to the send (`async: true`): `{run_id, message}`. */
  send: unknown;
  /** The answer to the cancel, when the scenario cancels. */
  cancel?: unknown;
  /** Every frame the socket received, `connected` first. */
  frames: Frame[];
  /** `history/` and `state/` fetched while an agent was streaming, and how many frames had arrived then. */
  mid_run: { frames_before: number; history: unknown[]; state: unknown };
  /** `history/` and `state/` once the run had ended. */
  history: unknown[];
  state: unknown;
}

async function json(server: TandemServer, method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}/api${url}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

const isRunEnd = (f: Frame) => f.event === "run_completed" || f.event === "run_error" || f.event === "run_cancelled";

async function record(
  server: TandemServer,
  name: string,
  scenario: string,
  content: string,
  opts: { cancel?: boolean } = {},
): Promise<void> {
  const sessionId = `fixture-${name}`;
  await json(server, "POST", "/sessions/", { session_id: sessionId, title: "New chat" });
  const ws = await ChatClient.connect(`${server.wsUrl}/ws/chat/${sessionId}/`);
  const send = await json(server, "POST", `/sessions/${sessionId}/send/`, { content, async: true });
  // Mid-run: once an agent's message is streaming (its tokens name it).
  await ws.waitFor((f) => f.event === "agent_token" || isRunEnd(f), 30_000);
  const framesBefore = ws.frames.length;
  const [midHistory, midState] = await Promise.all([
    json(server, "GET", `/sessions/${sessionId}/history/`),
    json(server, "GET", `/sessions/${sessionId}/state/`),
  ]);
  const cancel = opts.cancel ? await json(server, "POST", `/sessions/${sessionId}/cancel/`, {}) : undefined;
  await ws.waitFor(isRunEnd, 60_000);
  // Let anything published with the terminal event arrive.
  await new Promise((r) => setTimeout(r, 200));
  const [history, state] = await Promise.all([
    json(server, "GET", `/sessions/${sessionId}/history/`),
    json(server, "GET", `/sessions/${sessionId}/state/`),
  ]);
  await ws.close();
  const recording: Recording = {
    scenario,
    session_id: sessionId,
    send,
    ...(cancel ? { cancel } : {}),
    frames: ws.frames,
    mid_run: { frames_before: framesBefore, history: midHistory, state: midState },
    history,
    state,
  };
  writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(recording, null, 1)}\n`);
  console.log(`${name}: ${ws.frames.length} frames, ${history.length} messages`);
}

mkdirSync(OUT, { recursive: true });

// The offline model, slowed enough that tokens arrive in several frames and Stop lands mid-turn.
const offline = await startServer({ env: { TANDEM_OFFLINE_DELAY_MS: "15" } });
try {
  await record(
    offline,
    "normal",
    "A plain question: the researcher, then the writer, answer.",
    "Why is the sky blue? One short paragraph.",
  );
  await record(
    offline,
    "tools",
    "The researcher calls the calculator, then both agents answer.",
    "What is 12 * (3 + 4)?",
  );
  await record(
    offline,
    "cancel",
    "Stopped while the researcher streams.",
    "Compare SQLite and PostgreSQL for a small team's internal tool: setup, backups, concurrency and hosting cost.",
    { cancel: true },
  );
} finally {
  await offline.stop();
}

// A provider that answers the researcher, then fails every request (HTTP 500) for the writer.
const stub = await startOpenAIStub([
  {
    kind: "reply",
    reply: { text: "Notes: the writer should explain Rayleigh scattering briefly." },
    chunks: 6,
    chunkDelayMs: 20,
  },
  { kind: "status", status: 500, retryAfter: "0" },
]);
const failing = await startServer({
  env: {
    NEXT_DIST_DIR: TEST_DIST_DIR,
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: stub.baseURL,
    TANDEM_MODEL: "stub-model",
    TANDEM_MODEL_RETRIES: "1",
  },
});
try {
  await record(
    failing,
    "error",
    "The researcher answers; the provider fails the writer with HTTP 500.",
    "Why is the sky blue?",
  );
} finally {
  await failing.stop();
  await stub.close();
}

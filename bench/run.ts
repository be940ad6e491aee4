/**
 * `npm run bench`: Tandem's speed figures, each beside a reference measured in the same run on
 * the same machine. Uses the production build in .next-test (built when missing) and the
 * offline model at zero delay unless said otherwise.
 *
 *   BENCH_SECONDS=5 npm run bench         seconds per throughput measurement
 *   BENCH_FANOUT_ROUNDS=50                 events per session in the fan-out measurement
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379 the Redis of the fan-out comparison (skipped when unreachable)
 *   BENCH_STREAM_RUNS=100,300,1000          concurrent streaming runs measured, one level after another
 *   BENCH_STREAM_SECONDS=10                 seconds each model answer streams (two agents a run)
 *
 * `npm run bench -- <section>` runs only the named sections: accounts, memory, process, redis, requests, run, search, sidebar, streaming.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Agent, createServer, type IncomingHttpHeaders, request } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import WebSocket from "ws";
import { ApiClient } from "@/lib/client/api";
import { initialView, reduce } from "@/lib/client/reducer";
import { sqliteFile } from "@/lib/db/connection";
import { signUp } from "@/test/support/accounts";
import { freshPostgresUrl, freshSqliteUrl } from "@/test/support/databases";
import { prng } from "@/test/support/prng";
import { freePort, startServer, type TandemServer, TEST_DIST_DIR } from "@/test/support/server";
import { ChatClient } from "@/test/support/ws";
import { measureFanout } from "./fanout";
import { seedHistory, seedSearchCorpus, seedSessions, vocabulary } from "./seed";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Load before each throughput figure is measured: the first seconds of a fresh server and client run slower. */
const WARM_UP_SECONDS = 2;
const FANOUT_ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 50);
const STREAM_RUNS = (process.env.BENCH_STREAM_RUNS ?? "100,300,1000").split(",").map(Number);
const STREAM_SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 10);
const rows: Array<[string, string, string]> = [];
const row = (what: string, figure: string, reference = "") => {
  rows.push([what, figure, reference]);
  console.log(`  ${what}: ${figure}${reference ? `   (${reference})` : ""}`);
};

// ---------------------------------------------------------------------------------------------

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** Requests per second with `connections` keep-alive connections, each sending back to back. */
async function throughput(url: string, connections = 50, headers: Record<string, string> = {}): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, agent, headers },
        (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on("error", reject);
      req.end();
    });
  const load = async (seconds: number) => {
    let done = 0;
    const started = performance.now();
    const stopAt = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < stopAt) {
          await get();
          done++;
        }
      }),
    );
    return done / ((performance.now() - started) / 1000);
  };
  // Warm up under the same load (route compiles, both processes' JIT, connections), then measure.
  await load(WARM_UP_SECONDS);
  const rate = await load(SECONDS);
  agent.destroy();
  return rate;
}

async function bareNodeServer(): Promise<{ url: string; pid: number; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, [
    "-e",
    `require("node:http").createServer((q, s) => { s.setHeader("content-type", "application/json"); s.end("{}"); }).listen(${port}, "127.0.0.1", () => console.log("up"))`,
  ]);
  await new Promise((r) => child.stdout.once("data", r));
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid!, stop: () => child.kill() };
}

/**
 * The bench's HTTP client for every timed request: node:http on keep-alive connections, asking
 * for no compression. fetch (undici) costs the client about 0.3 ms more per request on this
 * machine (the run section prints both on the empty route), which would be counted as the
 * server's; and it asks for gzip, which Next applies to API reads (see lib/api/edge.ts).
 */
const keepAlive = new Agent({ keepAlive: true });
function call(
  url: string,
  { method = "GET", body }: { method?: string; body?: unknown } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const target = new URL(url);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        agent: keepAlive,
        headers:
          data === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function api(server: TandemServer, method: string, p: string, body?: unknown) {
  const res = await call(`${server.url}${p}`, { method, body });
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${res.text}`);
  return JSON.parse(res.text);
}

/** Sync sends (the whole run, both agents) one after another; milliseconds each. */
async function syncSends(server: TandemServer, sessionId: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await api(server, "POST", `/api/sessions/${sessionId}/send/`, { content: `Question ${i}: how do tides work?` });
    times.push(performance.now() - started);
  }
  return times;
}

/** The framework's floor under an acknowledgement: an empty POST route with a send's body; milliseconds. */
async function emptyPost(
  server: TandemServer,
  i: number,
  client: "node:http" | "fetch" = "node:http",
): Promise<number> {
  const body = { content: `Question ${i}: how do tides work?`, async: true };
  const started = performance.now();
  if (client === "fetch") {
    const res = await fetch(`${server.url}/bench/empty`, {
      method: "POST",
      // Uncompressed, as node:http asks: only the clients differ.
      headers: { "content-type": "application/json", "accept-encoding": "identity" },
      body: JSON.stringify(body),
    });
    await res.json();
  } else {
    await api(server, "POST", "/bench/empty", body);
  }
  return performance.now() - started;
}

/**
 * Async sends: the time to the 202 acknowledgement; each run is let finish before the next. With
 * `floor`, an empty POST route with the same body is timed just before each send, under the same
 * conditions (the previous run's last work, a warm or cold loop), into it. With `completed`, the
 * time from the send to its `run_completed` at a WebSocket client watching the chat, into it.
 */
async function asyncSends(
  server: TandemServer,
  sessionId: string,
  count: number,
  floor?: number[],
  completed?: number[],
): Promise<number[]> {
  const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${sessionId}/`);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      if (floor) floor.push(await emptyPost(server, i));
      const started = performance.now();
      const { run_id } = await api(server, "POST", `/api/sessions/${sessionId}/send/`, {
        content: `Question ${i}: how do tides work?`,
        async: true,
      });
      times.push(performance.now() - started);
      await client.waitFor((f) => f.event === "run_completed" && f.payload?.run_id === run_id, 30_000);
      completed?.push(performance.now() - started);
    }
  } finally {
    await client.close();
  }
  return times;
}

/**
 * Async sends queued behind a running run: each round sends one (untimed, it runs) and at once a
 * second, whose acknowledgement is timed when it was queued; both are let finish before the next.
 */
async function queuedSends(server: TandemServer, sessionId: string, count: number) {
  const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${sessionId}/`);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      await api(server, "POST", `/api/sessions/${sessionId}/send/`, { content: `Question ${i}`, async: true });
      const started = performance.now();
      const second = await api(server, "POST", `/api/sessions/${sessionId}/send/`, {
        content: `Question ${i}, queued: how do tides work?`,
        async: true,
      });
      const elapsed = performance.now() - started;
      if (second.status === "queued") times.push(elapsed);
      const ended = ["run_completed", "run_error", "run_cancelled"];
      await client.waitFor((f) => ended.includes(f.event) && f.payload?.run_id === second.run_id, 30_000);
    }
  } finally {
    await client.close();
  }
  return times;
}

/**
 * Database writes made for one streaming agent message (its insert and every text update), per
 * second of its turn, counted by SQLite triggers on a server whose offline model streams slowly.
 */
async function streamingWrites(): Promise<{ perSecond: number[]; frames: number[] }> {
  const databaseUrl = await freshSqliteUrl("bench-writes");
  const server = await startServer({ databaseUrl, env: { LOG_LEVEL: "error", TANDEM_OFFLINE_DELAY_MS: "20" } });
  try {
    const file = sqliteFile(databaseUrl);
    const setup = new Database(file);
    setup.exec(`
      CREATE TABLE bench_writes (message_id INTEGER);
      CREATE TRIGGER bench_message_insert AFTER INSERT ON message BEGIN INSERT INTO bench_writes VALUES (NEW.id); END;
      CREATE TRIGGER bench_message_update AFTER UPDATE ON message BEGIN INSERT INTO bench_writes VALUES (NEW.id); END;`);
    setup.close();
    const session = await api(server, "POST", "/api/sessions/", {});
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${session.session_id}/`);
    for (let i = 0; i < 3; i++) {
      await api(server, "POST", `/api/sessions/${session.session_id}/send/`, {
        content: "Write a long essay about oceans",
      });
    }
    const messages = await api(server, "GET", `/api/sessions/${session.session_id}/history/`);
    const tokenFrames = client.events("agent_token");
    await client.close();
    const db = new Database(file, { readonly: true });
    const counts = new Map(
      (
        db.prepare("SELECT message_id, COUNT(*) AS n FROM bench_writes GROUP BY message_id").all() as {
          message_id: number;
          n: number;
        }[]
      ).map((r) => [r.message_id, r.n]),
    );
    db.close();
    const agents = (messages as { id: number; role: string; latency_ms: number }[]).filter((m) => m.role === "agent");
    return {
      perSecond: agents.map((m) => (counts.get(m.id) ?? 0) / (m.latency_ms / 1000)),
      frames: agents.map(
        (m) => tokenFrames.filter((f) => f.payload?.message_id === m.id).length / (m.latency_ms / 1000),
      ),
    };
  } finally {
    await server.stop();
  }
}

const spread = (v: number[]) => `${ms(percentile(v, 50))} / ${ms(percentile(v, 95))} / ${ms(percentile(v, 99))}`;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds a process has used (user + system), from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** `count` calls of `make`, at most `parallel` at a time, results in order. */
async function inBatches<T>(count: number, parallel: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += parallel)
    out.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, (_, k) => make(i + k)))));
  return out;
}

const createSessions = async (server: TandemServer, count: number): Promise<string[]> =>
  (await inBatches(count, 25, () => api(server, "POST", "/api/sessions/", {}))).map((s) => s.session_id as string);

/** Opened WebSocket clients, one per entry of `sessions`, each handing its frames to `onFrame`. */
async function watchers(server: TandemServer, sessions: string[], onFrame: (frame: string) => void) {
  const sockets = sessions.map((id) => {
    const ws = new WebSocket(`${server.wsUrl}/ws/chat/${id}/`);
    ws.on("message", (data) => onFrame(data.toString()));
    return ws;
  });
  await Promise.all(
    sockets.map((ws) => new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject))),
  );
  return {
    close: () => {
      for (const ws of sockets) ws.terminate();
    },
  };
}

async function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname, () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A Chat Completions server that records when it sends its first token. */
async function timedModelServer() {
  const firstTokenAt: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: object, finish: string | null = null) =>
        res.write(
          `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
        );
      chunk({ role: "assistant", content: "" });
      firstTokenAt.push(performance.now());
      chunk({ content: "First" });
      setTimeout(() => {
        chunk({ content: " token, then the rest." });
        chunk({}, "stop");
        res.write(
          `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`,
        );
        res.end("data: [DONE]\n\n");
      }, 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { baseURL: `http://127.0.0.1:${port}/v1`, firstTokenAt, close: () => server.close() };
}

// ---------------------------------------------------------------------------------------------

/** 7. Search at 100,000 messages, on each database's full-text index. */
async function searchFigures() {
  for (const provider of ["sqlite", "postgres"] as const) {
    const url =
      provider === "sqlite" ? await freshSqliteUrl("bench-search") : (await freshPostgresUrl("bench_search"))?.url;
    if (!url) {
      row(`search at 100,000 messages (${provider})`, "skipped", "PostgreSQL not reachable");
      continue;
    }
    const searching = await startServer({ databaseUrl: url, env: { LOG_LEVEL: "error" } });
    try {
      const random = prng(11);
      const words = vocabulary(4000, random);
      const seeded = performance.now();
      await seedSearchCorpus(url, { sessions: 100, perSession: 1000, words });
      const seedSeconds = (performance.now() - seeded) / 1000;
      // Words from the common to the rare end, one or two per query.
      const queries = Array.from({ length: 200 }, (_, i) =>
        i % 4 === 3 ? `${random.pick(words)} ${random.pick(words.slice(0, 200))}` : random.pick(words),
      );
      const latencies: number[] = [];
      let hits = 0;
      for (const q of [...queries.slice(0, 20), ...queries]) {
        const started = performance.now();
        const res = await call(`${searching.url}/api/search/?q=${encodeURIComponent(q)}`);
        const found = JSON.parse(res.text) as unknown[];
        latencies.push(performance.now() - started);
        hits += found.length;
      }
      const measured = latencies.slice(20); // the first 20 warm up
      row(
        `search at 100,000 messages (${provider}), 200 queries: p50 / p95 / p99`,
        spread(measured),
        `aim p95 < 50 ms; ${(hits / latencies.length).toFixed(1)} results per query; seeded in ${seedSeconds.toFixed(0)} s`,
      );
      // The worst case for ranking: the corpus's most common word, found in most messages.
      const common: number[] = [];
      let found = 0;
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const res = await call(`${searching.url}/api/search/?q=${encodeURIComponent(words[0])}`);
        common.push(performance.now() - started);
        found = Number(res.headers["x-total-count"]);
      }
      row(
        `search at 100,000 messages (${provider}), the most common word, 20 queries: p50 / max`,
        `${ms(percentile(common, 50))} / ${ms(Math.max(...common))}`,
        `found in ${found.toLocaleString("en")} messages`,
      );
    } finally {
      await searching.stop();
    }
  }
}

/** 8. The sidebar's first load at 2,000 chats: its first page of summaries, beside the whole list. */
async function sidebarFigures() {
  const CHATS = 2000;
  const chats = CHATS.toLocaleString("en-US");
  for (const provider of ["sqlite", "postgres"] as const) {
    const url =
      provider === "sqlite" ? await freshSqliteUrl("bench-sidebar") : (await freshPostgresUrl("bench_sidebar"))?.url;
    if (!url) {
      row(`sidebar first load at ${chats} chats (${provider})`, "skipped", "PostgreSQL not reachable");
      continue;
    }
    const server = await startServer({ databaseUrl: url, env: { LOG_LEVEL: "error" } });
    try {
      const template = await api(server, "POST", "/api/sessions/", { title: "template" });
      await seedSessions(url, CHATS - 1, { prefix: "sidebar", teamOf: template.id, spacingMs: 3_600_000 });
      /** Time to the last byte and the body's size, `times` over (the first 10 warm up). */
      const load = async (query: string, times: number) => {
        const latencies: number[] = [];
        let bytes = 0;
        for (let i = 0; i < times + 10; i++) {
          const started = performance.now();
          const res = await call(`${server.url}/api/sessions/?${query}`);
          bytes = Buffer.byteLength(res.text);
          if (i >= 10) latencies.push(performance.now() - started);
        }
        return { latencies, bytes };
      };
      const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
      const first = await load("view=summary&ordering=-last_message_at&limit=50&offset=0", 100);
      const all = await load("view=summary&ordering=-last_message_at&limit=1000&offset=0", 10);
      const full = await load("limit=1000&offset=0", 10);
      row(
        `sidebar first load at ${chats} chats (${provider}): 50 summaries, bytes; p50 / p95 / p99`,
        `${kb(first.bytes)}; ${spread(first.latencies)}`,
        `half the list (1,000 summaries) ${kb(all.bytes)}, p50 ${ms(percentile(all.latencies, 50))}; 1,000 full sessions ${kb(full.bytes)}, p50 ${ms(percentile(full.latencies, 50))}`,
      );
    } finally {
      await server.stop();
    }
  }
}

/**
 * The ownership check's cost on the hottest read path (a session's state, which clients poll):
 * the same request with auth off, and with accounts as its owner by session cookie and by
 * personal key (principal, then one indexed owner lookup, then the handler).
 */
async function accountsFigures() {
  const off = await startServer({ env: { LOG_LEVEL: "error" } });
  let baseline: number;
  try {
    const session = await api(off, "POST", "/api/sessions/", { title: "bench" });
    baseline = await throughput(`${off.url}/api/sessions/${session.session_id}/state/`);
  } finally {
    await off.stop();
  }
  row("GET state, TANDEM_AUTH=off", `${baseline.toFixed(0)} req/s`);
  const accounts = await startServer({ env: { LOG_LEVEL: "error", TANDEM_AUTH: "accounts" } });
  try {
    const owner = await signUp(accounts, "bench");
    const session = (await (await owner.fetch("/api/sessions/", { method: "POST", body: "{}" })).json()) as {
      session_id: string;
    };
    const url = `${accounts.url}/api/sessions/${session.session_id}/state/`;
    const byCookie = await throughput(url, 50, { cookie: owner.cookie });
    row(
      "GET state, accounts, owner by session cookie",
      `${byCookie.toFixed(0)} req/s`,
      `${((byCookie / baseline) * 100).toFixed(0)}% of auth off`,
    );
    const key = await personalKeyFor(accounts, owner.id);
    const byKey = await throughput(url, 50, { authorization: `Bearer ${key}` });
    row(
      "GET state, accounts, owner by personal key",
      `${byKey.toFixed(0)} req/s`,
      `${((byKey / baseline) * 100).toFixed(0)}% of auth off`,
    );
  } finally {
    await accounts.stop();
  }
}

/** A personal key stored as the settings page stores one. */
async function personalKeyFor(server: TandemServer, userId: string): Promise<string> {
  const { newPersonalKey } = await import("@/lib/accounts/principal");
  const { key, prefix, keyHash } = newPersonalKey();
  const db = new Database(server.databaseUrl.replace(/^file:/, ""));
  db.prepare("INSERT INTO api_key (user_id, name, prefix, key_hash) VALUES (?, 'bench', ?, ?)").run(
    userId,
    prefix,
    keyHash,
  );
  db.close();
  return key;
}

/**
 * Node options of the servers the run, memory and streaming sections measure: `BENCH_SERVER_NODE_OPTIONS`
 * (an A/B of V8 flags), and with `BENCH_PROFILE=<dir>` a CPU profile written there when it stops.
 */
const serverNodeArgs = () => [
  ...(process.env.BENCH_SERVER_NODE_OPTIONS ?? "").split(" ").filter(Boolean),
  ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
];

/** Request throughput beside the framework's ceiling (an empty route) and a bare Node server. */
async function requestFigures(server: TandemServer, sessionId: string) {
  const bare = await bareNodeServer();
  const empty = await throughput(`${server.url}/bench/empty`);
  const health = await throughput(`${server.url}/api/health/`);
  const state = await throughput(`${server.url}/api/sessions/${sessionId}/state/`);
  const long = await api(server, "POST", "/api/sessions/", { title: "a long chat" });
  await seedHistory(server.databaseUrl, long.id, 2000);
  const history = await throughput(`${server.url}/api/sessions/${long.session_id}/history/`, 1);
  const node = await throughput(bare.url);
  bare.stop();
  row(
    "GET /api/health/ (50 connections)",
    `${health.toFixed(0)} req/s`,
    `${((health / empty) * 100).toFixed(0)}% of the empty route handler`,
  );
  row(
    "GET /api/sessions/<id>/state/",
    `${state.toFixed(0)} req/s`,
    `${((state / empty) * 100).toFixed(0)}% of the empty route handler`,
  );
  row(
    "GET history of 1,000 turns (2,000 messages; a page is 1,000), 1 connection",
    `${history.toFixed(1)} req/s`,
    "the old backend 2 req/s at 2,000 messages (issue 14's table)",
  );
  row(
    "empty Next route handler, same server",
    `${empty.toFixed(0)} req/s`,
    `${((empty / node) * 100).toFixed(1)}% of a bare Node http server`,
  );
  row("bare Node http server", `${node.toFixed(0)} req/s`);
}

/** The request figures alone, on a fresh server with serverNodeArgs (an A/B of V8 flags). */
async function requestSection() {
  const server = await startServer({
    databaseUrl: await freshSqliteUrl("bench-requests"),
    env: { LOG_LEVEL: "error", TANDEM_BENCH: "1" },
    nodeArgs: serverNodeArgs(),
  });
  try {
    const session = await api(server, "POST", "/api/sessions/", { title: "bench" });
    await requestFigures(server, session.session_id);
  } finally {
    await server.stop();
  }
}

/**
 * What one run costs: the sync send (the whole two-agent run with a tool step, offline model at
 * zero delay) and the async acknowledgement, on a fresh server (see serverNodeArgs).
 */
async function runFigures() {
  const databaseUrl = await freshSqliteUrl("bench-run");
  const server = await startServer({
    databaseUrl,
    env: { LOG_LEVEL: "error", TANDEM_BENCH: "1" },
    nodeArgs: serverNodeArgs(),
  });
  try {
    const session = await api(server, "POST", "/api/sessions/", { title: "run cost" });
    await syncSends(server, session.session_id, 20); // warm up: JIT, statement caches
    const sync = await syncSends(server, session.session_id, 200);
    row("run: send (sync, whole run), 200 sequential: p50 / p95 / p99", spread(sync), "aim: p50 ≤ 10 ms");
    row(
      "run: send (sync) p50, first 20 vs last 20",
      `${ms(percentile(sync.slice(0, 20), 50))} vs ${ms(percentile(sync.slice(-20), 50))}`,
      "flat means history does not cost",
    );
    const long = await api(server, "POST", "/api/sessions/", { title: "a long chat" });
    await seedHistory(databaseUrl, long.id, 10_000);
    const inLong = await syncSends(server, long.session_id, 40);
    row(
      "run: send (sync) p50 in a chat of 5,000 turns (10,000 messages) vs the first 20 above",
      `${ms(percentile(inLong, 50))} vs ${ms(percentile(sync.slice(0, 20), 50))}`,
      "flat means history does not cost",
    );
    await storeFigures(server, long.session_id);
    const acks = await asyncSends(server, session.session_id, 100);
    const floor: number[] = [];
    const floorFetch: number[] = [];
    for (let i = 0; i < 240; i++) {
      const took = await emptyPost(server, i >> 1, i % 2 ? "fetch" : "node:http");
      if (i >= 40) (i % 2 ? floorFetch : floor).push(took);
    }
    row(
      "run: send (async, 202 ack), 100 sequential: p50 / p95 / p99",
      spread(acks),
      `aim: p50 ≤ 3 ms; an empty POST route on the same server (body read, JSON answer), back to back: ${spread(floor)}`,
    );
    row(
      "run: the bench's client: an empty POST route timed with fetch vs node:http, alternately: p50",
      `${ms(percentile(floorFetch, 50))} vs ${ms(percentile(floor, 50))}`,
      "the bench times every request with node:http, so that the client's own cost is not counted as the server's",
    );
    const besideFloor: number[] = [];
    const beside = await asyncSends(server, session.session_id, 100, besideFloor);
    row(
      "run: send (async, 202 ack) p50, each right after an empty POST route's, both after the previous run",
      `${ms(percentile(beside, 50))} vs ${ms(percentile(besideFloor, 50))}`,
      `Tandem's own part of the acknowledgement: ${ms(percentile(beside, 50) - percentile(besideFloor, 50))}`,
    );
  } finally {
    await server.stop();
  }
}

/**
 * The browser store's cost of a long chat: the time `reduce` takes to lay out a history snapshot
 * (lib/client/reducer.ts), the first time the chat opens and again when a snapshot replaces a
 * full view (a resync), on the chat's real history and state from the API.
 */
async function storeFigures(server: TandemServer, sessionId: string) {
  // Loaded as the browser loads them (untimed).
  const client = new ApiClient({ base: `${server.url}/api` });
  const [history, state] = await Promise.all([client.history(sessionId), client.state(sessionId)]);
  const times = { first: [] as number[], again: [] as number[] };
  for (let i = 0; i < 12; i++) {
    let started = performance.now();
    const view = reduce(initialView(sessionId), { event: "snapshot_loaded", history, state, buffered: [] });
    const first = performance.now() - started;
    started = performance.now();
    reduce(view, { event: "snapshot_loaded", history: structuredClone(history), state, buffered: [] });
    if (i < 2) continue; // JIT warm-up
    times.first.push(first);
    times.again.push(performance.now() - started);
  }
  row(
    `browser store: a history snapshot of ${history.length.toLocaleString("en")} messages laid out, first / again: p50`,
    `${ms(percentile(times.first, 50))} / ${ms(percentile(times.again, 50))}`,
    "before round 7 (a scan per message): 107–109 / 202–209 ms at 10,120 messages",
  );
}

/**
 * The review process's own cost: a run's time outside its agents' turns (reading the session,
 * guidance, bookkeeping, events), for a review run per round beside a sequential run of the same
 * two agents (one pass: what a round is without the process). Offline model at zero delay.
 */
async function processFigures() {
  const databaseUrl = await freshSqliteUrl("bench-process");
  const server = await startServer({ databaseUrl, env: { LOG_LEVEL: "error" } });
  const RUNS = 30;
  try {
    const review = await api(server, "POST", "/api/sessions/", { team: "Draft & review" });
    const sequential = await api(server, "POST", "/api/sessions/", { team: "Draft & review" });
    // The same two agents, without the process: the sequential twin.
    const db = new Database(sqliteFile(databaseUrl));
    db.prepare("UPDATE chat_session SET process = 'sequential' WHERE session_id = ?").run(sequential.session_id);
    db.close();
    type Run = { extra: { duration_ms: number; agents: { latency_ms: number }[]; process?: { rounds: unknown[] } } };
    const outside = async (sessionId: string) => {
      await syncSends(server, sessionId, RUNS);
      const runs = (await api(server, "GET", `/api/sessions/${sessionId}/runs/`)) as Run[];
      return runs.map((r) => {
        const gap = r.extra.duration_ms - r.extra.agents.reduce((n, a) => n + a.latency_ms, 0);
        return { gap, rounds: r.extra.process?.rounds.length ?? 1, duration: r.extra.duration_ms };
      });
    };
    const seq = await outside(sequential.session_id);
    const rev = await outside(review.session_id);
    const seqGap = percentile(
      seq.map((r) => r.gap),
      50,
    );
    const perRound = percentile(
      rev.map((r) => r.gap / r.rounds),
      50,
    );
    row(
      `review run (writer ⇄ reviewer, ${percentile(
        rev.map((r) => r.rounds),
        50,
      )} rounds): time outside the agents' turns per round, p50`,
      ms(perRound),
      `sequential run of the same agents: ${ms(seqGap)} per run; the process adds ${ms(perRound - seqGap)} a round (aim < 5 ms)`,
    );
    row(
      "review run / sequential run, whole run p50",
      `${ms(
        percentile(
          rev.map((r) => r.duration),
          50,
        ),
      )} / ${ms(
        percentile(
          seq.map((r) => r.duration),
          50,
        ),
      )}`,
      "a review runs its agents twice (changes, then approval)",
    );
  } finally {
    await server.stop();
  }
}

/** 8. Memory of a fresh production start, as `npm start` runs it: idle, then with 1,000 WebSocket clients. */
async function memoryFigures() {
  const bare = await bareNodeServer();
  const bareRss = rssMb(bare.pid);
  bare.stop();
  const server = await startServer({ env: { LOG_LEVEL: "error" }, nodeArgs: serverNodeArgs() });
  try {
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await pause(3000); // start-up work (migrations, seeding) settles
    const pid = server.process.pid!;
    const idle = rssMb(pid);
    await pause(5000); // a quiet server gives memory back after 3 s (lib/ops/heap.ts)
    const idleLater = rssMb(pid);
    const sessions = await createSessions(server, 100);
    const clients = await watchers(
      server,
      sessions.flatMap((id) => Array(10).fill(id)),
      () => {},
    );
    await pause(1000);
    const connected = rssMb(pid);
    await pause(5000);
    const connectedLater = rssMb(pid);
    clients.close();
    row(
      "server memory (RSS), fresh production start: idle / 1,000 WebSocket clients",
      `${idle.toFixed(0)} / ${connected.toFixed(0)} MB`,
      `aims 200 / 250 MB; a bare Node http server ${bareRss.toFixed(0)} MB`,
    );
    row(
      "server memory (RSS), the same 5 s later (quiet: memory given back): idle / 1,000 WebSocket clients",
      `${idleLater.toFixed(0)} / ${connectedLater.toFixed(0)} MB`,
      "the old backend after issue 14's side-by-side load: 183 MB",
    );
  } finally {
    await server.stop();
  }
  await connectionHeapFigure();
}

/** What a WebSocket connection keeps alive: the live heap (after a full collection) per client. */
async function connectionHeapFigure() {
  const server = await startServer({
    env: { LOG_LEVEL: "error" },
    nodeArgs: ["--expose-gc", "--import", path.resolve("bench/heap-probe.mjs")],
  });
  let probes = 0;
  const liveHeap = async () => {
    const probe = ++probes;
    server.process.kill("SIGUSR2");
    return (await server.logEntry((l) => l.probe === probe)).heapProbe as number;
  };
  try {
    const sessions = await createSessions(server, 100);
    // One client per session first, so what the first connection loads (code, channels) is not counted.
    (await watchers(server, sessions, () => {})).close();
    const before = await liveHeap();
    const clients = await watchers(
      server,
      sessions.flatMap((id) => Array(10).fill(id)),
      () => {},
    );
    const after = await liveHeap();
    clients.close();
    row(
      "live heap per WebSocket client (after a full collection), 1,000 clients",
      `${((after - before) / 1000 / 1024).toFixed(1)} KiB`,
      "10.8 KiB before the upgrade's error listener stopped holding the request",
    );
  } finally {
    await server.stop();
  }
}

/**
 * 5. Fan-out through Redis beside in-process delivery, 1,000 clients over 100 sessions, on fresh
 * servers alternated in-process / Redis / in-process / Redis, so that a noisy machine weighs on both.
 */
async function redisFigures(databaseUrl: string) {
  const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  if (!(await redisReachable(redisUrl))) {
    row("fan-out through Redis", "skipped", `no Redis at ${redisUrl}`);
    return;
  }
  const latencies = { "in-process": [] as number[], redis: [] as number[] };
  let lost = 0;
  for (const transport of ["in-process", "redis", "in-process", "redis"] as const) {
    const redisEnv = { REDIS_URL: redisUrl, TANDEM_REDIS_PREFIX: `bench-${Date.now()}:` };
    const server = await startServer({
      databaseUrl,
      env: { LOG_LEVEL: "error", TANDEM_BENCH: "1", ...(transport === "redis" ? redisEnv : {}) },
      nodeArgs: serverNodeArgs(),
    });
    try {
      const result = await measureFanout({
        httpUrl: server.url,
        wsUrl: server.wsUrl,
        sessions: await createSessions(server, 100),
        clientsPerSession: 10,
        rounds: FANOUT_ROUNDS,
      });
      // Not push(...): 150 rounds × 1,000 clients is more arguments than a call takes.
      latencies[transport] = latencies[transport].concat(result.latencies);
      lost += result.expected - result.delivered;
    } finally {
      await server.stop();
    }
  }
  const [local, redis] = [latencies["in-process"], latencies.redis];
  row(
    "fan-out through Redis, 1,000 clients / 100 sessions, 2 servers each: p50 / p99",
    `${ms(percentile(redis, 50))} / ${ms(percentile(redis, 99))}`,
    `in-process ${ms(percentile(local, 50))} / ${ms(percentile(local, 99))}; p99 overhead ${((percentile(redis, 99) / percentile(local, 99) - 1) * 100).toFixed(0)}%; aim < 10%${lost ? `; ${lost} NOT DELIVERED` : ""}`,
  );
}

/**
 * 9. Concurrent streaming runs on one instance: each of `runs` sessions watched by one WebSocket
 * client, all sent at once, a model (bench/stream-model.ts, its own process) streaming each agent's
 * answer at 30 tokens/s. Token delivery latency is from the model sending a token to the client
 * receiving the frame carrying it: "newest" counts each frame's newest token (what the server
 * adds), "every token" includes the up to 40 ms a token waits to share a frame (coalescing).
 */
async function streamingFigures() {
  const model = spawn(process.execPath, ["--import", "tsx", "bench/stream-model.ts", String(STREAM_SECONDS)]);
  const modelPort = Number(await new Promise<string>((r) => model.stdout!.once("data", (d) => r(String(d)))));
  try {
    for (const runs of STREAM_RUNS) await streamingLevel(model, modelPort, runs);
  } finally {
    model.kill();
  }
}

/** Token latencies of `count` completions streamed straight from the model to this process. */
async function directStreams(modelPort: number, count: number): Promise<number[]> {
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      const res = await fetch(`http://127.0.0.1:${modelPort}/v1/chat/completions`, { method: "POST", body: "{}" });
      const decoder = new TextDecoder();
      for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
        const at = performance.timeOrigin + performance.now();
        for (const m of decoder.decode(bytes, { stream: true }).matchAll(/@(\d+\.\d)/g))
          latencies.push(at - Number(m[1]));
      }
    }),
  );
  return latencies;
}

async function streamingLevel(model: ChildProcess, modelPort: number, runs: number) {
  const databaseUrl = await freshSqliteUrl("bench-streaming");
  const server = await startServer({
    databaseUrl,
    env: {
      LOG_LEVEL: "error",
      OPENAI_API_KEY: "sk-bench",
      OPENAI_BASE_URL: `http://127.0.0.1:${modelPort}/v1`,
      TANDEM_MODEL: "m",
    },
    nodeArgs: serverNodeArgs(),
  });
  const pid = server.process.pid!;
  try {
    // Every row written (insert, update, delete), counted by triggers on the app's tables.
    const counter = new Database(sqliteFile(databaseUrl));
    const tables = (
      counter
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' AND name <> '_prisma_migrations' AND name NOT LIKE 'sqlite%'",
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
    counter.exec("CREATE TABLE bench_row_writes (n INTEGER)");
    for (const table of tables)
      for (const op of ["INSERT", "UPDATE", "DELETE"])
        counter.exec(
          `CREATE TRIGGER bench_${op}_${table} AFTER ${op} ON "${table}" BEGIN INSERT INTO bench_row_writes VALUES (1); END`,
        );
    const sessions = await createSessions(server, runs);
    const newest: number[] = [];
    const every: number[] = [];
    let ended = 0;
    const clients = await watchers(server, sessions, (frame) => {
      if (frame.startsWith('{"event":"agent_token"')) {
        const at = performance.timeOrigin + performance.now();
        let latest = 0;
        for (const m of frame.matchAll(/@(\d+\.\d)/g)) {
          const sent = Number(m[1]);
          every.push(at - sent);
          latest = Math.max(latest, sent);
        }
        if (latest) newest.push(at - latest);
      } else if (/^\{"event":"run_(completed|error|cancelled)"/.test(frame)) ended++;
    });
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssMb(pid)), 500);
    const writesBefore = (counter.prepare("SELECT COUNT(*) AS n FROM bench_row_writes").get() as { n: number }).n;
    const cpuBefore = [cpuSeconds(pid), cpuSeconds(model.pid!)];
    const started = performance.now();
    // The reference: the same model streams read directly, beside Tandem, under the same load.
    const direct = directStreams(modelPort, Math.min(runs, 50));
    await inBatches(runs, 50, (i) =>
      api(server, "POST", `/api/sessions/${sessions[i]}/send/`, { content: "Tell me about tides.", async: true }),
    );
    const deadline = started + (STREAM_SECONDS * 2 + 120) * 1000;
    while (ended < runs && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const seconds = (performance.now() - started) / 1000;
    const cpu = (cpuSeconds(pid) - cpuBefore[0]) / seconds;
    const modelCpu = (cpuSeconds(model.pid!) - cpuBefore[1]) / seconds;
    const writes =
      (counter.prepare("SELECT COUNT(*) AS n FROM bench_row_writes").get() as { n: number }).n - writesBefore;
    clearInterval(sampler);
    clients.close();
    counter.close();
    const bypass = await direct;
    row(
      `${runs} concurrent streaming runs: token delivery p50 / p99 (newest token of each frame)`,
      `${ms(percentile(newest, 50))} / ${ms(percentile(newest, 99))}`,
      `read from the model directly ${ms(percentile(bypass, 50))} / ${ms(percentile(bypass, 99))}; every token ${ms(percentile(every, 50))} / ${ms(percentile(every, 99))}; aim p99 < 50 ms; ${ended} of ${runs} runs ended in ${seconds.toFixed(0)} s`,
    );
    row(
      `${runs} concurrent streaming runs: server CPU, RSS, database rows written`,
      `${(cpu * 100).toFixed(0)}% of a core (${((cpu * seconds * 1000) / every.length).toFixed(2)} ms of CPU per token delivered), RSS max ${Math.max(...rss).toFixed(0)} MB, ${(writes / seconds).toFixed(0)} rows/s`,
      `the model stub ${(modelCpu * 100).toFixed(0)}% of a core; ${(every.length / seconds).toFixed(0)} tokens/s delivered`,
    );
  } finally {
    await server.stop();
  }
}

async function main() {
  if (!existsSync(path.join(TEST_DIST_DIR, "BUILD_ID"))) {
    console.log("building the app…");
    const built = spawnSync("npm", ["run", "build"], {
      stdio: "inherit",
      env: { ...process.env, NEXT_DIST_DIR: TEST_DIST_DIR },
    });
    if (built.status !== 0) process.exit(1);
  }
  console.log(`Tandem benchmarks (${SECONDS} s per throughput figure, offline model at zero delay)`);
  // The runtime decides several figures (the framework's own cost differs between Node majors).
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(" ").filter(Boolean)];
  console.log(`Node ${process.version}, V8 ${process.versions.v8}, flags: ${flags.join(" ") || "none"}\n`);
  // `npm run bench -- <section> [...]`: those sections only.
  const sections: Record<string, () => Promise<void>> = {
    accounts: accountsFigures,
    memory: memoryFigures,
    process: processFigures,
    requests: requestSection,
    run: runFigures,
    redis: async () => redisFigures(await freshSqliteUrl("bench-redis")),
    search: searchFigures,
    sidebar: sidebarFigures,
    streaming: streamingFigures,
  };
  const only = process.argv.slice(2).filter((a) => a in sections);
  if (only.length > 0) {
    for (const name of only) await sections[name]();
    return printTable();
  }
  const databaseUrl = await freshSqliteUrl("bench");
  const server = await startServer({ databaseUrl, env: { LOG_LEVEL: "error", TANDEM_BENCH: "1" } });
  try {
    // 1. Request throughput beside the framework's ceiling and a bare Node server.
    const session = await api(server, "POST", "/api/sessions/", { title: "bench" });
    await requestFigures(server, session.session_id);

    // 2. Send latency. Sync: the whole run (both agents, offline model). Async: the acknowledgement.
    const sync = await syncSends(server, session.session_id, 200);
    row(
      "send (sync, whole run), 200 sequential: p50 / p95 / p99",
      spread(sync),
      "aim: p50 ≤ 10 ms; the old backend 22 ms in issue 14's side-by-side",
    );
    row(
      "send (sync) p50, first 20 vs last 20",
      `${ms(percentile(sync.slice(0, 20), 50))} vs ${ms(percentile(sync.slice(-20), 50))}`,
      "flat means history does not cost",
    );
    const completed: number[] = [];
    const acks = await asyncSends(server, session.session_id, 100, undefined, completed);
    row(
      "send (async, 202 ack), 100 sequential: p50 / p95 / p99",
      spread(acks),
      "aim: p50 ≤ 3 ms (before issue 14: < 5 ms)",
    );
    row(
      "send (async) → run_completed at a WebSocket client, the same 100: p50 / p95 / p99",
      spread(completed),
      "the old backend 17 ms in issue 14's side-by-side",
    );
    const queued = await queuedSends(server, session.session_id, 100);
    row(
      `send (async ack) queued behind a running run, ${queued.length} of 100 queued: p50 / p95 / p99`,
      spread(queued),
      `plain async ack ${spread(acks)}; aim: equal`,
    );
    const fifty = await Promise.all(Array.from({ length: 50 }, () => api(server, "POST", "/api/sessions/", {})));
    const concurrentSync = (await Promise.all(fifty.map((s) => syncSends(server, s.session_id, 10)))).flat();
    row("send (sync), 50 sessions concurrently × 10: p50 / p95 / p99", spread(concurrentSync));
    const concurrentAcks = (await Promise.all(fifty.map((s) => asyncSends(server, s.session_id, 10)))).flat();
    row("send (async ack), 50 sessions concurrently × 10: p50 / p95 / p99", spread(concurrentAcks));

    // 3. Send latency at 10 and at 10,000 messages.
    const small = await api(server, "POST", "/api/sessions/", { title: "ten" });
    await syncSends(server, small.session_id, 3); // ~12 messages
    const big = await api(server, "POST", "/api/sessions/", { title: "ten thousand" });
    await seedHistory(databaseUrl, big.id, 10_000);
    const at10 = await syncSends(server, small.session_id, 40);
    const at10k = await syncSends(server, big.session_id, 40);
    row(
      "send (sync) p50 at ~10 messages vs at 10,000",
      `${ms(percentile(at10, 50))} vs ${ms(percentile(at10k, 50))}`,
      `ratio ${(percentile(at10k, 50) / percentile(at10, 50)).toFixed(2)}`,
    );
    const ack10 = await asyncSends(server, small.session_id, 40);
    const ack10k = await asyncSends(server, big.session_id, 40);
    row(
      "send (async ack) p50 at ~10 messages vs at 10,000",
      `${ms(percentile(ack10, 50))} vs ${ms(percentile(ack10k, 50))}`,
      `ratio ${(percentile(ack10k, 50) / percentile(ack10, 50)).toFixed(2)}`,
    );

    // Before the fan-out: this server's release of memory once quiet (lib/ops/heap.ts) would
    // otherwise take a core while the fan-out is timed.
    const rssAfterSends = rssMb(server.process.pid!);
    await new Promise((r) => setTimeout(r, 5000));
    row(
      "server memory (RSS) after all the sends above: at once / 5 s later",
      `${rssAfterSends.toFixed(0)} / ${rssMb(server.process.pid!).toFixed(0)} MB`,
      "the old backend after issue 14's side-by-side load: 183 MB",
    );

    // 4. WebSocket fan-out: 1,000 clients over 100 sessions, beside a bare `ws` broadcast, on
    // a fresh server (so its memory is the clients' and not the sends' above).
    const fanout = await startServer({ databaseUrl, env: { LOG_LEVEL: "error", TANDEM_BENCH: "1" } });
    const sessions = (
      await Promise.all(Array.from({ length: 100 }, () => api(fanout, "POST", "/api/sessions/", {})))
    ).map((s) => s.session_id as string);
    const rssBefore = rssMb(fanout.process.pid!);
    let rssConnected = 0;
    const tandem = await measureFanout({
      httpUrl: fanout.url,
      wsUrl: fanout.wsUrl,
      sessions,
      clientsPerSession: 10,
      rounds: FANOUT_ROUNDS,
      onConnected: () => void (rssConnected = rssMb(fanout.process.pid!)),
    });
    const rssAfter = rssMb(fanout.process.pid!);
    await fanout.stop();
    const barePort = await freePort();
    const bareWs = spawn(process.execPath, ["--import", "tsx", "bench/bare-ws.ts", String(barePort)]);
    await new Promise((r) => bareWs.stdout.once("data", r));
    const reference = await measureFanout({
      httpUrl: `http://127.0.0.1:${barePort}`,
      wsUrl: `ws://127.0.0.1:${barePort}`,
      sessions,
      clientsPerSession: 10,
      rounds: FANOUT_ROUNDS,
    });
    bareWs.kill();
    const lost = tandem.expected - tandem.delivered;
    row(
      "fan-out, 1,000 clients / 100 sessions: delivery p50 / p99",
      `${ms(percentile(tandem.latencies, 50))} / ${ms(percentile(tandem.latencies, 99))}`,
      `bare ws ${ms(percentile(reference.latencies, 50))} / ${ms(percentile(reference.latencies, 99))}; p99 ratio ${(percentile(tandem.latencies, 99) / percentile(reference.latencies, 99)).toFixed(2)}; aim p99 < 50 ms${lost ? `; ${lost} NOT DELIVERED` : ""}`,
    );
    row(
      "server memory (RSS), fresh server: idle → 1,000 clients → after fan-out",
      `${rssBefore.toFixed(0)} → ${rssConnected.toFixed(0)} → ${rssAfter.toFixed(0)} MB`,
      "aim < 250 MB at 1,000 clients",
    );
  } finally {
    await server.stop();
  }

  await redisFigures(databaseUrl);

  // 6. First-token latency Tandem adds over the model's own.
  const model = await timedModelServer();
  const streaming = await startServer({
    env: { OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: model.baseURL, TANDEM_MODEL: "m", LOG_LEVEL: "error" },
  });
  try {
    const added: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = await api(streaming, "POST", "/api/sessions/", {});
      const client = await ChatClient.connect(`${streaming.wsUrl}/ws/chat/${s.session_id}/`);
      let firstFrameAt = 0;
      client.ws.on("message", (d) => {
        if (!firstFrameAt && d.toString().includes('"agent_token"')) firstFrameAt = performance.now();
      });
      const before = model.firstTokenAt.length;
      await api(streaming, "POST", `/api/sessions/${s.session_id}/send/`, { content: "hello" });
      await client.close();
      if (i >= 5) added.push(firstFrameAt - model.firstTokenAt[before]); // the first few warm up
    }
    row(
      "model's first token → first agent_token at a client: p50 / p95",
      `${ms(percentile(added, 50))} / ${ms(percentile(added, 95))}`,
    );
  } finally {
    await streaming.stop();
    model.close();
  }

  // 7. The database write load of streaming: writes per second per streaming agent message.
  const writes = await streamingWrites();
  row(
    "database writes per streaming agent message, per second of its turn: p50 / max",
    `${percentile(writes.perSecond, 50).toFixed(2)} / ${Math.max(...writes.perSecond).toFixed(2)} writes/s`,
    `token frames to clients ${percentile(writes.frames, 50).toFixed(1)}/s (a write per frame would be that)`,
  );

  // The sections that are not part of the run above (which measured Redis on its own database).
  for (const name of ["memory", "streaming", "search", "sidebar", "process", "accounts"]) await sections[name]();

  printTable();
}

function printTable() {
  console.log("\n| measurement | figure | reference |\n| --- | --- | --- |");
  for (const [what, figure, reference] of rows) console.log(`| ${what} | ${figure} | ${reference} |`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

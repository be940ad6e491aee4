/**
 * Hostile input: thousands of generated requests at every endpoint (wrong types, huge and deeply
 * nested JSON, odd unicode, control characters, path tricks in ids, wrong methods, broken
 * percent-encoding), garbage on raw sockets and WebSocket frames, and slow clients. The server
 * must never answer 5xx, never crash, and its memory must stay flat.
 *
 * Reproducible: the seed is printed; TANDEM_FUZZ_SEED=<seed> replays a run and
 * TANDEM_FUZZ_REQUESTS=<n> scales it (default 2500).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { prng } from "./support/prng";
import { startServer, type TandemServer } from "./support/server";

const SEED = Number(process.env.TANDEM_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const REQUESTS = Number(process.env.TANDEM_FUZZ_REQUESTS ?? 2500);
const CONCURRENCY = 8;
const KEY = "fuzz-key";
console.log(`fuzz seed ${SEED} (TANDEM_FUZZ_SEED=${SEED} replays it), ${REQUESTS} requests`);

// ---------------------------------------------------------------------------------------------
// Generators (seeded: test/support/prng.ts)
// ---------------------------------------------------------------------------------------------

type Rng = ReturnType<typeof prng>;

const ODD_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0001\u0002\u001f\u007f",
  "\r\n\r\nX-Injected: 1",
  "\t",
  "\uFEFF",
  "\u200B\u200D",
  "\u202Etxet",
  "🦄🏳️‍🌈",
  "\uD800",
  "\uDFFF\uD800",
  "ｆｕｌｌ",
  "Ω≈ç√∫",
  "null",
  "undefined",
  "true",
  "0",
  "-1",
  "1e309",
  "NaN",
  "<script>alert(1)</script>",
  "'; DROP TABLE chat_session; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, meant literally.
  "${7*7}",
  "{{7*7}}",
  "../../etc/passwd",
  "%00",
  "%",
  "%%",
  "%E0%A4%A",
  "\\",
  "/",
  "//",
  "..",
  ".",
  "?",
  "#",
  "&",
  "=",
  "a".repeat(65),
  "é".repeat(200),
];

function oddString(r: Rng): string {
  switch (r.int(6)) {
    case 0:
      return r.pick(ODD_STRINGS);
    case 1:
      return "x".repeat(r.pick([63, 64, 65, 128, 129, 200, 201, 1000, 32_001, 40_000]));
    case 2:
      return Array.from({ length: 1 + r.int(40) }, () => String.fromCharCode(r.int(0x10000))).join("");
    case 3:
      return Array.from({ length: 1 + r.int(20) }, () => String.fromCharCode(r.int(0x20))).join("");
    default:
      return `fuzz ${r.int(1e6)} ${r.pick(ODD_STRINGS)}`;
  }
}

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { k: value };
  return value;
}

/** Deeply nested JSON text, built as text (JSON.stringify itself overflows on it). */
function deepJson(depth: number, asArray: boolean): string {
  return asArray ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"k":'.repeat(depth)}1${"}".repeat(depth)}`;
}

function oddValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 7 : 10)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MIN_VALUE]);
    case 3:
      return oddString(r);
    case 4:
      return r.int(1e9);
    case 5:
      return "";
    case 6:
      return "ok";
    case 7:
      return Array.from({ length: r.int(5) }, () => oddValue(r, depth + 1));
    case 8:
      return Object.fromEntries(
        Array.from({ length: r.int(5) }, () => [oddString(r).slice(0, 50), oddValue(r, depth + 1)]),
      );
    default:
      return nested(r.pick([31, 32, 33, 100, 1000]), r.chance(0.5) ? "deep" : {}, r.chance(0.5));
  }
}

const FIELDS = [
  "content",
  "async",
  "session_id",
  "title",
  "user_id",
  "metadata",
  "__proto__",
  "constructor",
  "prototype",
];

/** A request body: mostly JSON objects with wrong or odd fields, sometimes not JSON at all. */
function body(r: Rng): string | Uint8Array<ArrayBuffer> | undefined {
  switch (r.int(12)) {
    case 0:
      return undefined;
    case 1:
      return r.pick([
        "",
        "{",
        "}",
        "[",
        '{"content":',
        "nul",
        '"str"',
        "123",
        "[]",
        "null",
        "true",
        '{"a":1}{',
        "\uFEFF{}",
        "{'a':1}",
      ]);
    case 2:
      return new Uint8Array(Array.from({ length: 1 + r.int(200) }, () => r.int(256))); // not UTF-8
    case 3:
      return "[".repeat(r.pick([1000, 100_000, 500_000])) + "]".repeat(r.chance(0.5) ? 0 : 10);
    case 4:
      return JSON.stringify({
        content: "big",
        metadata: { blob: "x".repeat(r.pick([900_000, 1_100_000, 2_000_000])) },
      });
    case 5:
      return `{"content": "deep", "title": "t", "metadata": ${deepJson(r.pick([33, 200, 3000, 10_000, 100_000]), r.chance(0.5))}}`;
    case 6:
      return `{"content": "dup", "content": ${JSON.stringify(oddString(r))}, "__proto__": {"polluted": true}}`;
    default: {
      const obj: Record<string, unknown> = {};
      for (let i = r.int(5); i >= 0; i--) obj[r.pick(FIELDS)] = oddValue(r);
      if (r.chance(0.3)) obj.content = r.chance(0.5) ? "hello fuzz" : oddValue(r);
      if (r.chance(0.1)) obj.async = true;
      return JSON.stringify(obj);
    }
  }
}

/** encodeURIComponent, except that a lone surrogate becomes its (invalid UTF-8) WTF-8 bytes. */
function enc(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value
      .replace(/[\uD800-\uDFFF]/g, "\u0000")
      .split("\u0000")
      .map(encodeURIComponent)
      .join("%ED%A0%80");
  }
}

function oddId(r: Rng, realIds: string[]): string {
  switch (r.int(8)) {
    case 0:
    case 1:
      return r.pick(realIds);
    case 2:
      return enc(oddString(r));
    case 3:
      return r.pick([
        "..",
        ".",
        "%2e%2e",
        "%2E",
        "..%2F..%2Fapi",
        "%2F",
        "%5C",
        "%00",
        "%ZZ",
        "%E0%A4%A",
        "%",
        "a%2Fb",
        "%252e%252e",
        ";",
        "*",
        "~",
      ]);
    case 4:
      return r.pick(["0", "-1", "1.5", "1e3", "99999999999999999999999", "0x10", "NaN", String(2 ** 53 + 1)]);
    case 5:
      return "x".repeat(r.pick([64, 65, 500, 5000]));
    default:
      return oddString(r).replace(/[/?#%]/g, "");
  }
}

function oddQuery(r: Rng): string {
  if (r.chance(0.5)) return "";
  const keys = ["limit", "offset", "after", "user_id", "session", "role", "status", "since", "token", "a"];
  const parts = Array.from({ length: 1 + r.int(4) }, () => {
    const k = r.pick(keys);
    const v = r.chance(0.3)
      ? r.pick(["-1", "0", "1", "1000", "1001", "1e309", "NaN", "abc", "", "%", "%E0", "1.5", "99999999999999999999"])
      : enc(oddString(r));
    return `${k}=${v}`;
  });
  return `?${parts.join("&")}`;
}

const METHODS = ["GET", "GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND", "FOO"];

function path(r: Rng, sessions: string[], messages: number[]): string {
  const id = oddId(r, sessions);
  const mid = r.chance(0.5) && messages.length ? String(r.pick(messages)) : oddId(r, ["1"]);
  const base = r.pick([
    "/api/",
    "/api/health/",
    "/api/ready/",
    "/api/sessions/",
    `/api/sessions/${id}/`,
    `/api/sessions/${id}/history/`,
    `/api/sessions/${id}/state/`,
    `/api/sessions/${id}/send/`,
    `/api/sessions/${id}/send/`,
    `/api/sessions/${id}/cancel/`,
    `/api/sessions/${id}/runs/`,
    "/api/agents/",
    "/api/tools/",
    "/api/messages/",
    `/api/messages/${mid}/`,
    "/api/openapi.json",
    `/api/${id}/`,
    `/api/sessions/${id}/${oddId(r, ["x"])}/`,
    "/",
    `/c/${id}`,
    "/docs",
    "/admin",
    "/_next/static/../../api/",
    `/health/`,
    `/sessions/${id}/send/`,
    `/messages/${mid}`,
    "/agents",
    "/tools/",
  ]);
  let p = base;
  if (r.chance(0.3)) p = p.replace(/\/$/, "");
  if (r.chance(0.05)) p = p.toUpperCase();
  if (r.chance(0.05)) p = p.replace("/api/", "/api//");
  return p + oddQuery(r);
}

function headers(r: Rng): Record<string, string> {
  const h: Record<string, string> = {};
  if (r.chance(0.85)) h.authorization = `Bearer ${KEY}`;
  else if (r.chance(0.5))
    h.authorization = r.pick([
      "Bearer",
      "Bearer ",
      "Basic Zm9vOmJhcg==",
      `Bearer ${KEY}x`,
      "Bearer \u00e9",
      `bearer ${KEY}`,
    ]);
  if (r.chance(0.7))
    h["content-type"] = r.pick([
      "application/json",
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
    ]);
  if (r.chance(0.2)) h.origin = r.pick(["http://evil.example", "null", "http://localhost:3000"]);
  if (r.chance(0.2))
    h["x-request-id"] = r.pick(["ok-1", "x".repeat(300), "a b", "\u00e9", ""]).replace(/[^\x20-\x7e]/g, "?");
  if (r.chance(0.1)) h["access-control-request-method"] = "POST";
  if (r.chance(0.1)) h.accept = r.pick(["text/html", "*/*", "application/json", "text/x-component"]);
  if (r.chance(0.05)) h.rsc = "1";
  if (r.chance(0.05)) h["next-router-state-tree"] = enc(oddString(r));
  return h;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
}

async function pool<T>(items: T[], size: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/** Writes raw bytes on a TCP connection and collects what comes back until it closes. */
function raw(port: number, chunks: Array<string | Buffer>, { gapMs = 0, waitMs = 1500 } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let out = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (d) => (out += d.toString("latin1")));
    socket.on("error", done);
    socket.on("close", done);
    socket.on("connect", async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

describe(`fuzz (seed ${SEED})`, () => {
  let server: TandemServer;
  let pid: number;
  const sessions: string[] = [];
  const messages: number[] = [];
  const failures: string[] = [];
  let rssStart = 0;

  const note = (what: string) => {
    if (failures.length < 25) failures.push(what);
  };
  const generate = (r: Rng, count: number) =>
    Array.from({ length: count }, () => {
      const method = r.pick(METHODS);
      const hasBody = !["GET", "HEAD"].includes(method) && r.chance(0.9);
      return { method, url: path(r, sessions, messages), headers: headers(r), body: hasBody ? body(r) : undefined };
    });
  /** Sends generated requests only to load the server (their answers are read and dropped). */
  const load = (requests: ReturnType<typeof generate>) =>
    pool(requests, CONCURRENCY, async (req) => {
      await fetch(`${server.url}${req.url}`, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        redirect: "manual",
      })
        .then((res) => res.arrayBuffer())
        .catch(() => {});
    });
  const alive = () => assert.equal(server.process.exitCode, null, `the server died:\n${server.output().slice(-3000)}`);

  before(async () => {
    // A capped heap: V8 otherwise sizes its heap to this 24 GiB machine and collects lazily, so
    // RSS would say little; capped, a leak ends in an out-of-memory crash that `alive()` sees.
    server = await startServer({
      env: { TANDEM_API_KEYS: KEY, LOG_LEVEL: "fatal", NODE_OPTIONS: "--max-old-space-size=256" },
    });
    pid = server.process.pid!;
    const auth = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
    for (let i = 0; i < 4; i++) {
      const s = await (
        await fetch(`${server.url}/api/sessions/`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ title: `fuzz ${i}` }),
        })
      ).json();
      sessions.push(s.session_id);
      const sent = await (
        await fetch(`${server.url}/api/sessions/${s.session_id}/send/`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ content: "What is 2 + 2?" }),
        })
      ).json();
      for (const m of sent) messages.push(m.id);
    }
    // Warm up with the same mix (another seed), so lazily loaded bundles and the heap's high
    // water mark from big bodies are in the baseline and only growth that persists is counted.
    await load(generate(prng(SEED ^ 0x5eed), 1000));
    rssStart = rssKb(pid);
  });
  after(async () => {
    await server?.stop();
  });

  test(`${REQUESTS} generated HTTP requests: no 5xx, JSON errors on the API`, async () => {
    const plan = generate(prng(SEED), REQUESTS);
    let sent = 0;
    await pool(plan, CONCURRENCY, async (req, i) => {
      let res: Response;
      try {
        res = await fetch(`${server.url}${req.url}`, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          redirect: "manual",
        });
      } catch (e) {
        // The client refusing to send it (an invalid header or method) is not the server's fault.
        if (/fetch failed/.test(String(e)) && server.process.exitCode === null) {
          const cause = (e as { cause?: { code?: string } }).cause?.code;
          // A server may answer early and close while a client still uploads a body over the
          // limit, and Node's parser refuses unknown methods by closing: both are fine.
          const big = typeof req.body !== "undefined" && req.body.length > 1024 * 1024;
          const unknownMethod = !["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].includes(req.method);
          if ((cause === "UND_ERR_SOCKET" || cause === "ECONNRESET") && !big && !unknownMethod)
            note(`#${i} ${req.method} ${req.url}: connection dropped (${cause})`);
          return;
        }
        if (e instanceof TypeError) return;
        throw e;
      }
      sent++;
      const text = await res.text();
      if (res.status >= 500) {
        const sample =
          typeof req.body === "string" ? req.body.slice(0, 150) : req.body ? `<${req.body.length} bytes>` : "<none>";
        note(
          `#${i} ${req.method} ${req.url.slice(0, 200)} ${JSON.stringify(req.headers)} body ${sample} → ${res.status} ${text.slice(0, 200)}`,
        );
      }
      // Next routes case-sensitively: /API/... is a page path (an HTML 404), not the API.
      const apiPath = /^\/(api|sessions|messages|agents|tools|health|ready)(\/|$)/.test(
        new URL(req.url, server.url).pathname,
      );
      if (apiPath && res.status >= 400 && req.method !== "HEAD") {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          note(`#${i} ${req.method} ${req.url.slice(0, 200)} → ${res.status} not JSON: ${text.slice(0, 120)}`);
        }
        if (json !== undefined && (typeof json !== "object" || json === null))
          note(`#${i} → ${res.status} JSON but not an object`);
      }
      if (/\n\s+at |\.(ts|js):\d+:\d+|node_modules|PrismaClient|Invalid `prisma/.test(text) && res.status >= 400)
        note(`#${i} ${req.url} leaks internals: ${text.slice(0, 200)}`);
    });
    alive();
    assert.ok(sent > REQUESTS * 0.8, `only ${sent} requests were sent`);
    assert.deepEqual(failures, [], `seed ${SEED}`);
  });

  test("garbage on raw sockets and slow clients", async () => {
    const r = prng(SEED + 1);
    const port = server.port;
    const results = await Promise.all([
      raw(port, ["GARBAGE\r\n\r\n"]),
      raw(port, [Buffer.from(Array.from({ length: 512 }, () => r.int(256)))]),
      raw(port, [`GET /api/health/ HTTP/1.1\r\nHost: x\r\n${"X-A: b\r\n".repeat(2000)}\r\n`]),
      raw(port, [`GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]),
      raw(port, ["GET * HTTP/1.1\r\nHost: x\r\n\r\n"]),
      raw(port, ["GET http://evil.example/api/sessions/ HTTP/1.1\r\nHost: x\r\n\r\n"]),
      raw(port, ["GET /api/sessions/%E0%A4%A/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer fuzz-key\r\n\r\n"]),
      raw(port, [
        'POST /api/sessions/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer fuzz-key\r\nContent-Length: 100\r\n\r\n{"ti',
      ]),
      raw(port, [
        "POST /api/sessions/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer fuzz-key\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
      ]),
      raw(port, [
        "POST /api/sessions/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      ]),
      // Slow clients: headers a byte at a time, a body that trickles, then nothing.
      raw(port, "GET /api/health/ HTTP/1.1\r\nHost: x\r\n\r\n".split(""), { gapMs: 20, waitMs: 3000 }),
      raw(
        port,
        [
          "POST /api/sessions/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer fuzz-key\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n",
          ...'{"title":"slow"}'.split(""),
        ],
        { gapMs: 50, waitMs: 3000 },
      ),
      // Upgrades: missing key, bad version, a path nobody serves, a bad session id.
      raw(port, [
        `GET /ws/chat/${sessions[0]}/?token=${KEY} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      ]),
      raw(port, [
        `GET /ws/chat/${sessions[0]}/?token=${KEY} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 99\r\n\r\n`,
      ]),
      raw(port, [
        "GET /ws/nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      ]),
      raw(port, [
        "GET // HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      ]),
      raw(port, [
        `GET /ws/chat/%E0%A4%A/?token=${KEY} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ]),
      // A handshake, then bytes that are no WebSocket frame.
      raw(
        port,
        [
          `GET /ws/chat/${sessions[0]}/?token=${KEY} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          Buffer.from(Array.from({ length: 300 }, () => r.int(256))),
        ],
        { gapMs: 100 },
      ),
    ]);
    alive();
    failures.length = 0; // this test's own findings only
    for (const [i, out] of results.entries()) if (statusOf(out) >= 500) note(`raw #${i} → ${out.slice(0, 200)}`);
    const health = await fetch(`${server.url}/api/health/`);
    assert.equal(health.status, 200);
    assert.deepEqual(failures, [], `seed ${SEED}`);
  });

  test("garbage WebSocket frames are refused politely; the socket and the server survive", async () => {
    const r = prng(SEED + 2);
    const ws = new WebSocket(`${server.wsUrl}/ws/chat/${sessions[1]}/?token=${KEY}`);
    const frames: string[] = [];
    ws.on("message", (d) => frames.push(d.toString()));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const payloads: Array<string | Buffer> = [
      "not json",
      "",
      "{",
      "\u0000",
      "\uD800",
      "null",
      "[]",
      `{"deep": ${deepJson(2000, true)}}`,
      deepJson(20_000, false).slice(0, 65_000),
      "[".repeat(30_000) + "]".repeat(30_000),
      "x".repeat(70_000),
      Buffer.from([0, 1, 2, 255]),
      deepJson(32_000, true),
      deepJson(10_000, false),
    ];
    for (let i = 0; i < 200; i++) payloads.push(r.chance(0.5) ? JSON.stringify(oddValue(r)) : oddString(r));
    for (const p of payloads) ws.send(p, { binary: Buffer.isBuffer(p) });
    ws.send(JSON.stringify({ last: true }));
    const deadline = Date.now() + 15_000;
    while (
      !frames.some((f) => f.includes('"last":true')) &&
      Date.now() < deadline &&
      ws.readyState === WebSocket.OPEN
    ) {
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(ws.readyState, WebSocket.OPEN, "the socket stays open");
    assert.ok(
      frames.some((f) => f.includes('"last":true')),
      `the last frame was echoed; got ${frames.length} frames`,
    );
    ws.close();
    // Many sockets opened and dropped at once.
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const s = new WebSocket(
          `${server.wsUrl}/ws/chat/${sessions[i % sessions.length]}/?token=${KEY}&since=${r.pick(["0", "-1", "x", "99999999999999999"])}`,
        );
        s.on("error", () => {});
        await new Promise((res) => {
          s.once("open", res);
          s.once("error", res);
          s.once("unexpected-response", res);
        });
        if (i % 2) s.terminate();
        else s.close();
      }),
    );
    alive();
  });

  test("memory stays flat (server RSS: a further round adds little)", async () => {
    alive();
    // Big bodies raise the heap's high-water mark once; a leak grows with every round. So after
    // the fuzz, one more round of the same mix (another seed) must not grow RSS much further.
    const afterFuzz = rssKb(pid);
    await load(generate(prng(SEED ^ 0xbeef), Math.ceil(REQUESTS / 2)));
    await new Promise((res) => setTimeout(res, 1000));
    alive();
    const end = rssKb(pid);
    const mb = (kb: number) => (kb / 1024).toFixed(1);
    console.log(
      `server RSS: ${mb(rssStart)} MB after warm-up, ${mb(afterFuzz)} MB after the fuzz, ${mb(end)} MB after one more round`,
    );
    assert.ok(end - afterFuzz < 50 * 1024, `RSS grew ${mb(end - afterFuzz)} MB in the last round (a leak?)`);
    assert.ok(end - rssStart < 150 * 1024, `RSS grew ${mb(end - rssStart)} MB over the whole fuzz`);
  });
});

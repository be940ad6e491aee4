/**
 * Access control for deployments: API keys on the REST API, its root mirror and the WebSocket
 * (health open, preflights answered, pages and /admin not API), the send rate limit, request ids
 * and security headers. Unit tests of the path, key and bucket logic first; then the edge alone
 * (CORS for the API only, forwarded headers, cross-origin form posts); then a real server.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { apiKeys, bearerToken, classifyPath, isSendPath } from "@/lib/api/auth";
import { createEdge } from "@/lib/api/edge";
import { parseRate, rateLimiter } from "@/lib/api/rate-limit";
import { startServer, type TandemServer } from "./support/server";

describe("access control: units", () => {
  test("API paths are recognized however they are spelled", () => {
    for (const path of [
      "/api/sessions/",
      "/api",
      "/sessions",
      "/sessions/x/send/",
      "/messages/1",
      "/agents",
      "/tools/",
      "/API/sessions/",
      "/%61pi/sessions/",
      "/%2561pi/sessions/",
      "/docs/..%2Fapi/sessions/",
      "/c/x/../../api/sessions/",
      "/c/%2e%2e/api/sessions",
      "/api/sessions/..%2F..%2Fdocs",
      "/api/health/..%2F..%2Fapi/sessions",
      "//api/sessions",
      "/\\api/sessions",
      "/Sessions/",
      "/api/sessions/%E0%A4%A/",
      "/api/openapi.json",
    ]) {
      assert.equal(classifyPath(path), "api", path);
    }
    for (const path of ["/api/health", "/api/health/", "/health", "/health/", "/ready", "/api/ready/", "/HEALTH"]) {
      assert.equal(classifyPath(path), "open-api", path);
    }
    for (const path of [
      "/",
      "/c/abc",
      "/docs",
      "/_next/static/chunks/x.js",
      "/admin",
      "/admin/login",
      "/icon.svg",
      "/healthz",
      "/sessionsx",
    ]) {
      assert.equal(classifyPath(path), "other", path);
    }
    assert.equal(isSendPath("/api/sessions/abc/send/"), true);
    assert.equal(isSendPath("/sessions/abc/send"), true);
    assert.equal(isSendPath("/API/Sessions/abc/SEND//"), true);
    assert.equal(isSendPath("/api/sessions/abc/"), false);
  });

  test("keys are verified exactly, and only valid keys get an id", () => {
    const keys = apiKeys(" alpha , beta,,");
    assert.equal(keys.enabled, true);
    assert.match(keys.verify("alpha") ?? "", /^[0-9a-f]{12}$/);
    assert.notEqual(keys.verify("alpha"), keys.verify("beta"));
    for (const wrong of ["", "alph", "alpha ", "ALPHA", "alphaalpha", null, undefined])
      assert.equal(keys.verify(wrong), null, String(wrong));
    assert.equal(apiKeys("").enabled, false);
    assert.equal(apiKeys(undefined).verify("x"), null);
    assert.equal(bearerToken("Bearer abc"), "abc");
    assert.equal(bearerToken("bearer   abc "), "abc");
    assert.equal(bearerToken("Basic abc"), null);
    assert.equal(bearerToken("Bearer a b"), null);
  });

  test("the token bucket allows a burst, then refills at the rate", () => {
    let now = 0;
    const limiter = rateLimiter(parseRate("3/min"), () => now);
    assert.deepEqual(
      [1, 2, 3].map(() => limiter.take("a").ok),
      [true, true, true],
    );
    const refused = limiter.take("a");
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.retryAfterSeconds, 20);
    assert.equal(limiter.take("b").ok, true, "buckets are per client");
    now += 20_000;
    assert.equal(limiter.take("a").ok, true, "one token back after 20 s");
    assert.equal(limiter.take("a").ok, false);
    assert.equal(parseRate(undefined), null);
    assert.equal(parseRate("0/min"), null);
    assert.deepEqual(parseRate("10/s"), { count: 10, periodMs: 1000 });
    assert.throws(() => parseRate("ten/min"));
  });
});

describe("the edge in front of a stand-in for Next (which echoes the headers it is given)", () => {
  const quiet = { info() {}, warn() {} };
  async function edgeServer(trustProxy: boolean): Promise<{ url: string; server: Server }> {
    const edge = createEdge({ corsOrigins: "*", trustProxy, log: quiet });
    const server = createServer((req, res) => {
      if (edge.http(req, res)) return;
      edge.forward(req, res, (checked) => {
        checked.resume();
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(checked.headers));
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
  }
  let plain: { url: string; server: Server };
  let proxied: { url: string; server: Server };
  before(async () => {
    [plain, proxied] = await Promise.all([edgeServer(false), edgeServer(true)]);
  });
  after(() => {
    plain.server.close();
    proxied.server.close();
  });

  const forwarded = {
    forwarded: "for=1.2.3.4;host=evil.example;proto=https",
    "x-forwarded-host": "evil.example",
    "x-forwarded-proto": "https",
    "x-forwarded-port": "443",
    "x-forwarded-for": "1.2.3.4",
  };

  test("forwarded headers never reach Next unless the proxy is trusted", async () => {
    for (const path of ["/admin/agents", "/api/sessions/", "/"]) {
      const seen = await (await fetch(`${plain.url}${path}`, { headers: forwarded })).json();
      for (const name of Object.keys(forwarded)) assert.equal(seen[name], undefined, `${path} ${name}`);
      assert.equal(seen["x-tandem-client-address"], "127.0.0.1", "the address is the connection's");
      const trusted = await (await fetch(`${proxied.url}${path}`, { headers: forwarded })).json();
      for (const [name, value] of Object.entries(forwarded)) assert.equal(trusted[name], value, `${path} ${name}`);
      assert.equal(trusted["x-tandem-client-address"], "1.2.3.4");
    }
  });

  test("CORS is the API's (and its root mirror's) only: pages and /admin answer no origin", async () => {
    const origin = "http://127.0.0.1:1";
    for (const path of ["/api/sessions/", "/sessions/", "/api/health/", "/health", "/agents/"]) {
      const res = await fetch(`${plain.url}${path}`, { headers: { origin } });
      assert.equal(res.headers.get("access-control-allow-origin"), origin, path);
      assert.equal(res.headers.get("access-control-allow-credentials"), "true", path);
      const preflight = await fetch(`${plain.url}${path}`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
      assert.equal(preflight.status, 204, path);
      assert.equal(preflight.headers.get("access-control-allow-origin"), origin, path);
    }
    for (const path of ["/admin", "/admin/agents", "/admin/login", "/", "/c/abc", "/docs"]) {
      const res = await fetch(`${plain.url}${path}`, { headers: { origin } });
      assert.equal(res.headers.get("access-control-allow-origin"), null, path);
      assert.equal(res.headers.get("access-control-allow-credentials"), null, path);
      const preflight = await fetch(`${plain.url}${path}`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "next-action, x-forwarded-host",
        },
      });
      assert.equal(preflight.headers.get("access-control-allow-origin"), null, path);
      assert.equal(preflight.headers.get("access-control-allow-headers"), null, path);
    }
  });

  test("a form or action post to a page must come from the page's own origin", async () => {
    const post = (base: string, headers: Record<string, string>, body: BodyInit = "a=b") =>
      fetch(`${base}/admin/agents`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
    assert.equal((await post(plain.url, { origin: plain.url })).status, 200);
    assert.equal((await post(plain.url, { referer: `${plain.url}/admin/agents` })).status, 200);
    const foreign: Array<Record<string, string>> = [
      { origin: "http://evil.example" },
      { origin: "http://evil.example", "x-forwarded-host": "evil.example" },
      { origin: "null" },
      { referer: "http://evil.example/" },
      {},
    ];
    for (const headers of foreign) {
      const res = await post(plain.url, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.deepEqual(await res.json(), { detail: "Cross-site request refused." });
    }
    assert.equal(
      (await post(plain.url, { origin: "http://evil.example", "next-action": "ab", "content-type": "text/plain" }))
        .status,
      403,
    );
    // Behind a trusted proxy, the host is the one the proxy names.
    assert.equal(
      (await post(proxied.url, { origin: "https://tandem.example", "x-forwarded-host": "tandem.example" })).status,
      200,
    );
    assert.equal(
      (await post(proxied.url, { origin: "https://evil.example", "x-forwarded-host": "tandem.example" })).status,
      403,
    );
    // Not server actions: JSON posts to pages (the bench routes) and API posts from other origins.
    assert.equal((await post(plain.url, { "content-type": "application/json" }, "{}")).status, 200);
    const api = await fetch(`${plain.url}/api/sessions/`, {
      method: "POST",
      headers: { origin: "http://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(api.status, 200);
  });
});

describe("access control: a server with API keys and a send rate", () => {
  let server: TandemServer;
  const KEY = "test-key-one";
  const OTHER = "test-key-two";
  before(async () => {
    server = await startServer({
      env: {
        TANDEM_API_KEYS: `${KEY},${OTHER}`,
        TANDEM_SEND_RATE: "3/min",
        LOG_LEVEL: "info",
        TANDEM_CORS_ORIGINS: "http://front.example",
      },
    });
  });
  after(async () => {
    await server?.stop();
  });

  const call = async (
    method: string,
    path: string,
    { key, body, headers = {} }: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      redirect: "manual",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  test("the API and its root mirror require a valid Bearer key", async () => {
    for (const path of [
      "/api/sessions/",
      "/sessions/",
      "/sessions",
      "/api/agents/",
      "/agents/",
      "/api/messages/",
      "/api/nope/",
      "/api/openapi.json",
    ]) {
      const none = await call("GET", path);
      assert.equal(none.status, 401, path);
      assert.deepEqual(none.json, { detail: "Authentication credentials were not provided." }, path);
      assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.match(none.headers.get("content-type") ?? "", /application\/json/);
      const wrong = await call("GET", path, { key: "not-a-key" });
      assert.equal(wrong.status, 401, path);
      assert.deepEqual(wrong.json, { detail: "Invalid API key." });
    }
    const basic = await call("GET", "/api/sessions/", {
      headers: { authorization: `Basic ${Buffer.from(`x:${KEY}`).toString("base64")}` },
    });
    assert.equal(basic.status, 401);
    for (const key of [KEY, OTHER]) {
      assert.equal((await call("GET", "/api/sessions/", { key })).status, 200);
      assert.equal((await call("GET", "/sessions/", { key })).status, 200);
    }
    const created = await call("POST", "/api/sessions/", { key: KEY, body: { title: "keyed" } });
    assert.equal(created.status, 201);
    assert.equal((await call("DELETE", `/api/sessions/${created.json.session_id}/`)).status, 401);
  });

  test("path tricks do not get past the key", async () => {
    for (const path of [
      "/API/sessions/",
      "/%61pi/sessions/",
      "/Sessions/",
      "/docs/..%2Fapi/sessions/",
      "/c/x/../../api/sessions/",
      "/c/%2e%2e/api/sessions/",
      "//api/sessions/",
      "/api//sessions/",
      "/api/./sessions/",
      "/api/sessions/%2e/",
    ]) {
      const res = await call("GET", path);
      assert.ok([400, 401, 404].includes(res.status), `${path} answered ${res.status}`);
      assert.ok(!Array.isArray(res.json), `${path} leaked a list`);
    }
  });

  test("health, readiness, preflights and pages stay open; /admin is not the API", async () => {
    for (const path of ["/api/health/", "/api/health", "/health/", "/health"]) {
      const res = await call("GET", path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.json, { message: "Server is up!" });
    }
    assert.equal((await call("GET", "/api/ready/")).status, 200);
    const preflight = await fetch(`${server.url}/api/sessions/`, {
      method: "OPTIONS",
      headers: {
        origin: "http://front.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "http://front.example");
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/i);
    // A browser can read the 401 of a cross-origin call.
    const cors401 = await call("GET", "/api/sessions/", { headers: { origin: "http://front.example" } });
    assert.equal(cors401.status, 401);
    assert.equal(cors401.headers.get("access-control-allow-origin"), "http://front.example");
    const page = await call("GET", "/");
    assert.equal(page.status, 200);
    assert.match(page.text, /<html/);
    assert.notEqual((await call("GET", "/admin")).status, 401);
  });

  test("the WebSocket needs the key in a Bearer header or a token parameter", async () => {
    const session = (await call("POST", "/api/sessions/", { key: KEY, body: {} })).json.session_id;
    const attempt = (query: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; first?: any; body?: string }>((resolve, reject) => {
        const ws = new WebSocket(`${server.wsUrl}/ws/chat/${session}/${query}`, { headers });
        ws.once("unexpected-response", (_req, res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.once("message", (data) => {
          resolve({ status: 101, first: JSON.parse(data.toString()) });
          ws.close();
        });
        ws.once("error", (e) => (e.message.includes("Unexpected server response") ? undefined : reject(e)));
      });
    const none = await attempt("");
    assert.equal(none.status, 401);
    assert.deepEqual(JSON.parse(none.body!), { detail: "Authentication credentials were not provided." });
    assert.equal((await attempt("?token=wrong")).status, 401);
    assert.equal((await attempt("", { authorization: "Bearer wrong" })).status, 401);
    const byQuery = await attempt(`?token=${KEY}`);
    assert.equal(byQuery.status, 101);
    assert.equal(byQuery.first.event, "connected");
    const byHeader = await attempt("?since=0", { authorization: `Bearer ${OTHER}` });
    assert.equal(byHeader.status, 101);
  });

  test("sends are rate limited per key, with a JSON 429 and Retry-After", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await call("POST", "/api/sessions/", { key: KEY, body: {} })).json.session_id);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await call("POST", `/api/sessions/${ids[i]}/send/`, { key: KEY, body: { content: "hi", async: true } }))
          .status,
      );
    assert.deepEqual(statuses, [202, 202, 202]);
    const limited = await call("POST", `/sessions/${ids[3]}/send`, { key: KEY, body: { content: "hi", async: true } });
    assert.equal(limited.status, 429);
    assert.match(limited.json.detail, /Too many/);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    // Reads are not limited, and another key has its own bucket.
    assert.equal((await call("GET", `/api/sessions/${ids[3]}/`, { key: KEY })).status, 200);
    assert.equal(
      (await call("POST", `/api/sessions/${ids[4]}/send/`, { key: OTHER, body: { content: "hi", async: true } }))
        .status,
      202,
    );
  });

  test("answers to API writes are not compressed; reads still are, when the client takes gzip", async () => {
    const gzip = { "accept-encoding": "gzip" };
    const created = await call("POST", "/api/sessions/", {
      key: KEY,
      body: { metadata: { note: "x".repeat(2000) } },
      headers: gzip,
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("content-encoding"), null);
    assert.equal(created.json.metadata.note.length, 2000);
    const read = await call("GET", `/api/sessions/${created.json.session_id}/`, { key: KEY, headers: gzip });
    assert.equal(read.headers.get("content-encoding"), "gzip");
    assert.equal(read.json.metadata.note.length, 2000);
  });

  test("request ids are taken or made, echoed, and logged; security headers are set", async () => {
    const given = await call("GET", "/api/sessions/", { key: KEY, headers: { "x-request-id": "trace-abc-123" } });
    assert.equal(given.headers.get("x-request-id"), "trace-abc-123");
    const made = await call("GET", "/api/sessions/", { key: KEY });
    assert.match(made.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const hostile = await call("GET", "/api/health/", { headers: { "x-request-id": "a b <script>" } });
    assert.match(hostile.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    for (const res of [given, hostile, await call("GET", "/")]) {
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-frame-options"), "DENY");
      assert.ok(res.headers.get("referrer-policy"));
      assert.ok(res.headers.get("permissions-policy"));
      assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    }
    assert.match(
      (await call("GET", "/")).headers.get("content-security-policy") ?? "",
      /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/,
    );
    // One JSON log line per API request, carrying the id.
    const line = await server.logEntry((l) => l.reqId === "trace-abc-123");
    assert.equal(line.msg, "request");
    assert.equal(line.status, 200);
    assert.equal(line.path, "/api/sessions/");
    assert.ok(!server.output().includes(KEY), "keys are never logged");
  });
});

describe("client address behind a trusted proxy (TANDEM_TRUST_PROXY=1)", () => {
  let server: TandemServer;
  before(async () => {
    server = await startServer({ env: { TANDEM_SEND_RATE: "2/min", TANDEM_TRUST_PROXY: "1", LOG_LEVEL: "warn" } });
  });
  after(async () => {
    await server?.stop();
  });
  const send = async (forwardedFor: string) => {
    const { session_id } = await (
      await fetch(`${server.url}/api/sessions/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      })
    ).json();
    const res = await fetch(`${server.url}/api/sessions/${session_id}/send/`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-forwarded-for": forwardedFor,
        "x-tandem-client-address": "203.0.113.99",
      },
      body: JSON.stringify({ content: "hi", async: true }),
    });
    await res.arrayBuffer();
    return res.status;
  };

  test("clients are told apart by the entry the proxy added, not by what they claim", async () => {
    // The proxy appends the address it saw; whatever the client put before it is ignored.
    assert.deepEqual([await send("1.1.1.1, 198.51.100.7"), await send("2.2.2.2, 198.51.100.7")], [202, 202]);
    assert.equal(await send("3.3.3.3, 198.51.100.7"), 429, "a third send from the same proxied client is limited");
    assert.equal(await send("1.1.1.1, 198.51.100.8"), 202, "another client has its own bucket");
  });
});

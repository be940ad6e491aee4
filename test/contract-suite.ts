/**
 * The API contract (docs/api.md), black-box against a running server.
 * Defined once and run for each database provider (api.sqlite.test.ts, api.postgres.test.ts).
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { onFreshServer, type SuiteDatabase } from "./support/suite";
import { ChatClient } from "./support/ws";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const AGENT_KEYS = ["id", "name", "role", "description", "model_hint", "is_active", "created_at", "updated_at"];
const TOOL_KEYS = ["id", "name", "description", "schema", "is_active", "created_at", "updated_at"];
const SESSION_KEYS = [
  "id",
  "session_id",
  "title",
  "user_id",
  "metadata",
  "assignments",
  "pinned", // ext, with last_message_at: the sidebar's order
  "last_message_at",
  "created_at",
  "updated_at",
];
const ASSIGNMENT_KEYS = ["id", "session", "agent", "order", "prompt_override", "tools", "created_at", "updated_at"];
const MESSAGE_KEYS = [
  "id",
  "session",
  "role",
  "agent",
  "content",
  "tool_name",
  "tool_input",
  "tool_output",
  "tokens_prompt",
  "tokens_completion",
  "latency_ms",
  "metadata",
  "rating", // ext
  "run_id", // ext
  "created_at",
  "updated_at",
];
const RUN_KEYS = [
  "id",
  "session",
  "agent",
  "status",
  "details",
  "extra",
  "kind", // ext, with the three below: the run's place in the conversation's tree
  "parent_run_id",
  "user_message_id",
  "resumes_run_id",
  "created_at",
  "updated_at",
];

const keys = (o: object) => Object.keys(o).sort();

export function defineContractSuite(label: string, database: SuiteDatabase) {
  describe(`API contract (${label})`, () => {
    const { it, server } = onFreshServer(label, database);

    const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${server().url}${path}`, {
        method,
        redirect: "manual",
        headers: { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    };
    let counter = 0;
    const newId = (prefix = "s") => `${prefix}-${label}-${Date.now().toString(36)}-${counter++}`;
    const create = async (body: Record<string, unknown> = {}) => {
      const res = await api("POST", "/api/sessions/", { session_id: newId(), ...body });
      assert.equal(res.status, 201, res.text);
      return res.json;
    };

    // -- paths -----------------------------------------------------------------------------

    it("health answers exactly, on every spelling of the path, without redirects", async () => {
      for (const path of ["/api/health/", "/api/health", "/health/", "/health"]) {
        const res = await api("GET", path);
        assert.equal(res.status, 200, path);
        assert.deepEqual(res.json, { message: "Server is up!" });
        assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      }
    });

    it("repeated slashes in a path count as one, answered in place (no redirect), WebSocket too", async () => {
      const { session_id } = await create({ title: "slashes" });
      for (const path of [
        "//sessions/",
        "/api//sessions/",
        "//api///sessions/",
        `/api/sessions//${session_id}//state/`,
      ]) {
        const res = await api("GET", path);
        assert.equal(res.status, 200, `${path} answered ${res.status}`);
        assert.equal(res.headers.get("location"), null, path);
      }
      const sent = await api("POST", `//sessions//${session_id}/send/`, { content: "double slashes" });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.json[0].content, "double slashes");
      const socket = await ChatClient.connect(`${server().url.replace("http", "ws")}//ws//chat/${session_id}/`);
      await socket.close();
    });

    it("readiness checks the database", async () => {
      const res = await api("GET", "/api/ready/");
      assert.equal(res.status, 200);
      assert.equal(res.json.ok, true);
      assert.equal(res.json.checks.database.ok, true);
    });

    it("unknown API paths and wrong methods answer JSON", async () => {
      const missing = await api("GET", "/api/does-not-exist/");
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json, { detail: "Not found." });
      const nested = await api("POST", "/api/sessions/x/nope/");
      assert.equal(nested.status, 404);
      assert.ok(nested.json.detail);
      const wrong = await api("DELETE", "/api/health/");
      assert.equal(wrong.status, 405);
      assert.ok(wrong.json.detail);
      const wrongList = await api("PATCH", "/api/sessions/");
      assert.equal(wrongList.status, 405);
      assert.ok(wrongList.json.detail);
    });

    it("answers CORS preflights and echoes the origin for credentialed requests", async () => {
      for (const path of ["/api/sessions/", "/api/sessions", "/sessions/", "/api/health/"]) {
        const res = await fetch(`${server().url}${path}`, {
          method: "OPTIONS",
          headers: {
            Origin: "http://frontend.example:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
          },
        });
        assert.ok(res.status === 204 || res.status === 200, `${path}: ${res.status}`);
        assert.equal(res.headers.get("access-control-allow-origin"), "http://frontend.example:3000");
        assert.equal(res.headers.get("access-control-allow-credentials"), "true");
        assert.match(res.headers.get("access-control-allow-methods") ?? "", /POST/);
        assert.match(res.headers.get("access-control-allow-headers") ?? "", /content-type/i);
      }
      const get = await api("GET", "/api/sessions/", undefined, { Origin: "http://frontend.example:3000" });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get("access-control-allow-origin"), "http://frontend.example:3000");
      assert.equal(get.headers.get("access-control-allow-credentials"), "true");
      assert.match(get.headers.get("access-control-expose-headers") ?? "", /\bLink\b/);
      assert.match(get.headers.get("access-control-expose-headers") ?? "", /\bX-Total-Count\b/);
    });

    // -- sessions --------------------------------------------------------------------------

    it("creates a session with the contract's shape and the default agents assigned", async () => {
      const id = newId();
      const res = await api("POST", "/api/sessions/", {
        session_id: id,
        title: "Trip",
        user_id: "u1",
        metadata: { a: 1 },
      });
      assert.equal(res.status, 201, res.text);
      const s = res.json;
      assert.deepEqual(keys(s), [...SESSION_KEYS].sort());
      assert.equal(s.session_id, id);
      assert.equal(s.title, "Trip");
      assert.equal(s.user_id, "u1");
      assert.deepEqual(s.metadata, { a: 1 });
      assert.match(s.created_at, ISO);
      assert.match(s.updated_at, ISO);
      assert.equal(typeof s.id, "number");
      assert.deepEqual(
        s.assignments.map((a: any) => a.agent.name),
        ["researcher", "writer"],
      );
      for (const a of s.assignments) {
        assert.deepEqual(keys(a), [...ASSIGNMENT_KEYS].sort());
        assert.equal(a.session, s.id);
        assert.deepEqual(keys(a.agent), [...AGENT_KEYS].sort());
        assert.equal(a.agent.is_active, true);
        assert.ok(a.agent.description.length > 100, "a real system prompt");
        for (const t of a.tools) assert.deepEqual(keys(t), [...TOOL_KEYS].sort());
      }
      assert.deepEqual(s.assignments[0].tools.map((t: any) => t.name).sort(), [
        "calculator",
        "current_time",
        "session_search",
      ]);
      assert.deepEqual(s.assignments[1].tools, []);
      assert.ok(s.assignments[0].order < s.assignments[1].order);
    });

    it("defaults title, user_id and metadata, and generates a URL-safe session_id when omitted", async () => {
      const res = await api("POST", "/api/sessions/", {});
      assert.equal(res.status, 201, res.text);
      assert.match(res.json.session_id, /^[A-Za-z0-9_-]{8,64}$/);
      assert.equal(res.json.title, "");
      assert.equal(res.json.user_id, "");
      assert.equal(res.json.metadata, null);
      const empty = await api("POST", "/api/sessions/", "");
      assert.equal(empty.status, 201, empty.text);
    });

    it("stores titles without bidi controls, so they cannot render spoofed text", async () => {
      const spoof = "invoice \u202Egnp.exe \u2066x\u2069 \u200Fمرحبا";
      const s = await create({ title: spoof });
      assert.equal(s.title, "invoice gnp.exe x \u200Fمرحبا", "bidi marks stay, controls go");
      const patched = await api("PATCH", `/api/sessions/${s.session_id}/`, {
        title: "\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee\u2067f\u2068g",
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.title, "abcdefg");
      assert.equal((await api("GET", `/sessions/${s.session_id}/`)).json.title, "abcdefg");
    });

    it("refuses a duplicate session_id with the compat body", async () => {
      const s = await create();
      const dup = await api("POST", "/api/sessions/", { session_id: s.session_id });
      assert.equal(dup.status, 400);
      assert.deepEqual(dup.json, { session_id: ["Chat Session with this session id already exists."] });
    });

    it("answers field errors as {field: [messages]} and writes nothing", async () => {
      const before = await api("GET", "/api/sessions/?limit=1");
      const total = before.headers.get("x-total-count");
      const cases: Array<[unknown, string]> = [
        [{ session_id: "x".repeat(65) }, "session_id"],
        [{ session_id: "a/b" }, "session_id"],
        [{ session_id: "../etc" }, "session_id"],
        [{ session_id: "has space" }, "session_id"],
        [{ session_id: 42 }, "session_id"],
        [{ session_id: newId(), title: "t".repeat(201) }, "title"],
        [{ session_id: newId(), title: 5 }, "title"],
        [{ session_id: newId(), user_id: "u".repeat(129) }, "user_id"],
        [{ session_id: newId(), metadata: "not an object" }, "metadata"],
        [{ session_id: newId(), metadata: [1, 2] }, "metadata"],
        [{ session_id: newId(), title: "nul\u0000byte" }, "title"],
        [{ session_id: newId(), metadata: { k: "nul\u0000" } }, "metadata"],
        [{ session_id: newId(), metadata: { k: "x".repeat(16 * 1024) } }, "metadata"],
        [{ session_id: newId(), metadata: { k: "é".repeat(8 * 1024) } }, "metadata"],
      ];
      for (const [body, field] of cases) {
        const res = await api("POST", "/api/sessions/", body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${res.text}`);
        assert.ok(Array.isArray(res.json[field]) && typeof res.json[field][0] === "string", res.text);
      }
      for (const raw of ["{not json", "[1,2]", "42", '"text"', "null"]) {
        const res = await api("POST", "/api/sessions/", raw);
        assert.equal(res.status, 400, raw);
        assert.equal(typeof res.json.detail, "string", raw);
      }
      const huge = await api("POST", "/api/sessions/", JSON.stringify({ title: "x".repeat(1024 * 1024 + 10) }));
      assert.equal(huge.status, 413);
      assert.equal(typeof huge.json.detail, "string");
      const deep = await api("POST", "/api/sessions/", {
        session_id: newId(),
        metadata: JSON.parse(`${'{"a":'.repeat(100)}1${"}".repeat(100)}`),
      });
      assert.equal(deep.status, 400);
      // Deep enough to overflow a recursive validator: still a field error, for create and update.
      const abyss = `${'{"k":'.repeat(100_000)}1${"}".repeat(100_000)}`;
      for (const [method, path] of [
        ["POST", "/api/sessions/"],
        ["PATCH", `/api/sessions/${newId()}/`],
      ] as const) {
        const res = await api(method, path, `{"title": "t", "metadata": ${abyss}}`);
        assert.equal(res.status, 400, `${method} ${path}`);
        assert.deepEqual(res.json.metadata, ["Nested deeper than 32 levels."]);
      }
      const after = await api("GET", "/api/sessions/?limit=1");
      assert.equal(after.headers.get("x-total-count"), total, "nothing was written");
    });

    it("bounds metadata at 16 KiB of JSON, on create and update", async () => {
      // {"k":"…"} is 8 bytes around the string: this one is exactly 16,384 bytes.
      const largest = { k: "x".repeat(16 * 1024 - 8) };
      const s = await create({ metadata: largest });
      assert.deepEqual(s.metadata, largest);
      const over = await api("PATCH", `/api/sessions/${s.session_id}/`, { metadata: { k: "x".repeat(16 * 1024 - 7) } });
      assert.equal(over.status, 400);
      assert.deepEqual(over.json, { metadata: ["Ensure this value is no more than 16384 bytes as JSON."] });
      assert.deepEqual((await api("GET", `/api/sessions/${s.session_id}/`)).json.metadata, largest, "unchanged");
    });

    it("lists sessions newest first, filters by user and paginates with X-Total-Count", async () => {
      const user = newId("user");
      const a = await create({ user_id: user });
      const b = await create({ user_id: user });
      const c = await create({ user_id: user });
      const all = await api("GET", "/api/sessions/");
      assert.equal(all.status, 200);
      assert.ok(Array.isArray(all.json));
      const mine = await api("GET", `/api/sessions/?user_id=${user}`);
      assert.deepEqual(
        mine.json.map((s: any) => s.session_id),
        [c.session_id, b.session_id, a.session_id],
      );
      assert.equal(mine.headers.get("x-total-count"), "3");
      const page = await api("GET", `/api/sessions?user_id=${user}&limit=1&offset=1`);
      assert.deepEqual(
        page.json.map((s: any) => s.session_id),
        [b.session_id],
      );
      assert.equal(page.headers.get("x-total-count"), "3");
      assert.equal(page.headers.get("link"), `</api/sessions?user_id=${user}&limit=1&offset=2>; rel="next"`);
      const last = await api("GET", `/api/sessions/?user_id=${user}&limit=2&offset=2`);
      assert.deepEqual(
        last.json.map((s: any) => s.session_id),
        [a.session_id],
      );
      assert.equal(last.headers.get("link"), null, "no next page after the last");
      assert.equal(mine.headers.get("link"), null, "one page holds them all");
      const summary = await api("GET", `/api/sessions/?user_id=${user}&view=summary&limit=2`);
      assert.deepEqual(
        summary.json,
        [c, b].map((s) => ({
          session_id: s.session_id,
          title: s.title,
          pinned: false,
          last_message_at: s.created_at,
          created_at: s.created_at,
          updated_at: s.updated_at,
          message_count: 0,
        })),
      );
      assert.equal(
        summary.headers.get("link"),
        `</api/sessions/?user_id=${user}&view=summary&limit=2&offset=2>; rel="next"`,
      );
      await api("PATCH", `/api/sessions/${a.session_id}/`, { title: "touched" });
      const active = await api("GET", `/api/sessions/?user_id=${user}&view=summary&ordering=-updated_at`);
      assert.deepEqual(
        active.json.map((s: any) => s.session_id),
        [a.session_id, c.session_id, b.session_id],
      );
      for (const bad of [
        "view=compact",
        "ordering=title",
        "ordering=last_message_at",
        "limit=0",
        "limit=1001",
        "offset=-1",
      ]) {
        const res = await api("GET", `/api/sessions/?${bad}`);
        assert.equal(res.status, 400, bad);
        assert.ok(Array.isArray(res.json[bad.split("=")[0]]), res.text);
      }
      assert.equal((await api("GET", "/api/sessions/?user_id=%00")).status, 400);
      const bad = await api("GET", "/api/sessions/?limit=abc");
      assert.equal(bad.status, 400);
      assert.ok(Array.isArray(bad.json.limit));
    });

    it("ext: pins a chat, and orders by last message with pinned chats first (a rename does not reorder)", async () => {
      const user = `sidebar-${newId()}`;
      const a = await create({ user_id: user, title: "a" });
      const b = await create({ user_id: user, title: "b" });
      const c = await create({ user_id: user, title: "c" });
      const order = async () => {
        const res = await api("GET", `/api/sessions/?user_id=${user}&view=summary&ordering=-last_message_at`);
        assert.equal(res.status, 200, res.text);
        return res.json.map((s: any) => s.title);
      };
      assert.deepEqual(await order(), ["c", "b", "a"], "no messages yet: newest created first");

      const sent = await api("POST", `/api/sessions/${a.session_id}/send/`, { content: "Hello" });
      assert.equal(sent.status, 200, sent.text);
      const afterSend = (await api("GET", `/api/sessions/${a.session_id}/`)).json;
      assert.equal(afterSend.last_message_at, sent.json.at(-1).created_at, "the last message's time");
      assert.deepEqual(await order(), ["a", "c", "b"], "a send moves the chat up");

      const renamed = await api("PATCH", `/api/sessions/${b.session_id}/`, { title: "b renamed" });
      assert.equal(renamed.status, 200, renamed.text);
      assert.equal(renamed.json.last_message_at, b.last_message_at, "a rename leaves last_message_at alone");
      assert.ok(renamed.json.updated_at > b.updated_at, "compat: a rename moves updated_at");
      assert.deepEqual(await order(), ["a", "c", "b renamed"], "a rename does not reorder");

      const pinned = await api("PATCH", `/api/sessions/${b.session_id}/`, { pinned: true });
      assert.equal(pinned.status, 200, pinned.text);
      assert.equal(pinned.json.pinned, true);
      assert.equal(pinned.json.title, "b renamed", "the other fields stay");
      assert.equal((await api("PUT", `/api/sessions/${c.session_id}`, { pinned: true })).json.pinned, true);
      assert.deepEqual(await order(), ["c", "b renamed", "a"], "pinned first, the latest pinned first");
      const again = await api("PATCH", `/api/sessions/${b.session_id}/`, { pinned: true, title: "b" });
      assert.equal(again.json.pinned, true);
      assert.deepEqual(await order(), ["c", "b", "a"], "pinning a pinned chat keeps its place");
      const summary = await api("GET", `/api/sessions/?user_id=${user}&view=summary&ordering=-last_message_at&limit=1`);
      assert.equal(summary.json[0].pinned, true);
      assert.match(summary.json[0].last_message_at, ISO);

      const unpinned = await api("PATCH", `/api/sessions/${c.session_id}/`, { pinned: false });
      assert.equal(unpinned.json.pinned, false);
      assert.equal((await api("GET", `/api/sessions/${c.session_id}/`)).json.pinned, false);
      assert.deepEqual(await order(), ["b", "a", "c"]);
      // The compat orders ignore pins.
      const created = await api("GET", `/api/sessions/?user_id=${user}&view=summary`);
      assert.deepEqual(
        created.json.map((s: any) => s.session_id),
        [c.session_id, b.session_id, a.session_id],
      );
      const bad = await api("PATCH", `/api/sessions/${a.session_id}/`, { pinned: "yes" });
      assert.equal(bad.status, 400);
      assert.ok(Array.isArray(bad.json.pinned), bad.text);
      assert.equal((await api("GET", `/api/sessions/${a.session_id}/`)).json.pinned, false, "nothing half-written");
    });

    it("reads, updates and deletes a session on /api and the root mirror, with and without the slash", async () => {
      const s = await create({ title: "before" });
      for (const path of [
        `/api/sessions/${s.session_id}/`,
        `/api/sessions/${s.session_id}`,
        `/sessions/${s.session_id}/`,
        `/sessions/${s.session_id}`,
      ]) {
        const res = await api("GET", path);
        assert.equal(res.status, 200, path);
        assert.deepEqual(res.json, s);
      }
      const patched = await api("PATCH", `/api/sessions/${s.session_id}`, { title: "after" });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.title, "after");
      assert.equal(patched.json.user_id, s.user_id);
      const put = await api("PUT", `/sessions/${s.session_id}/`, {
        session_id: s.session_id,
        title: "put",
        user_id: "u9",
        metadata: { k: "v" },
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.json.title, "put");
      assert.equal(put.json.user_id, "u9");
      assert.deepEqual(put.json.metadata, { k: "v" });
      const rename = await api("PATCH", `/api/sessions/${s.session_id}/`, { session_id: "other" });
      assert.equal(rename.status, 400);
      const badPatch = await api("PATCH", `/api/sessions/${s.session_id}/`, { title: ["x"] });
      assert.equal(badPatch.status, 400);
      assert.ok(Array.isArray(badPatch.json.title));
      const del = await api("DELETE", `/api/sessions/${s.session_id}/`);
      assert.equal(del.status, 204);
      assert.equal(del.text, "");
      const gone = await api("GET", `/api/sessions/${s.session_id}/`);
      assert.equal(gone.status, 404);
      assert.deepEqual(gone.json, { detail: "Not found." });
      assert.equal((await api("DELETE", `/api/sessions/${s.session_id}/`)).status, 404);
      assert.equal((await api("PATCH", `/api/sessions/${s.session_id}/`, { title: "x" })).status, 404);
    });

    it("answers 404 for unknown or odd session ids on every session endpoint", async () => {
      for (const id of ["missing-session", "a%2Fb", "a%20b", "x".repeat(80), "%F0%9F%98%80", "%00"]) {
        for (const [method, suffix] of [
          ["GET", ""],
          ["GET", "history/"],
          ["GET", "state/"],
          ["POST", "send/"],
          ["GET", "runs/"],
          ["POST", "cancel/"],
        ]) {
          const res = await api(
            method,
            `/api/sessions/${id}/${suffix}`,
            method === "POST" ? { content: "hi" } : undefined,
          );
          assert.equal(res.status, 404, `${method} ${id}/${suffix}: ${res.status} ${res.text}`);
          assert.deepEqual(res.json, { detail: "Not found." });
        }
      }
    });

    it("never lets a dot segment escape the API", async () => {
      const res = await api("GET", "/api/sessions/%2E%2E/");
      assert.equal(res.status, 200);
      assert.equal(res.json.name, "Tandem API");
      const del = await api("DELETE", "/api/sessions/%2E%2E/");
      assert.equal(del.status, 405);
      assert.ok(del.json.detail);
    });

    // -- send and history ------------------------------------------------------------------

    it("validates send bodies", async () => {
      const s = await create();
      for (const body of [{}, { content: "" }, { content: "   " }, { content: null }]) {
        const res = await api("POST", `/api/sessions/${s.session_id}/send/`, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.deepEqual(res.json, { detail: "content is required" });
      }
      for (const body of [
        { content: { text: "hi" } },
        { content: 5 },
        { content: ["hi"] },
        { content: "hi", async: "yes" },
      ]) {
        const res = await api("POST", `/api/sessions/${s.session_id}/send/`, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(res.json && typeof res.json === "object", res.text);
      }
      const long = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "x".repeat(40_000) });
      assert.equal(long.status, 400);
      const nul = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "a\u0000b" });
      assert.equal(nul.status, 400);
      assert.deepEqual(nul.json, { content: ["Null characters are not allowed."] });
      const malformed = await api("POST", `/api/sessions/${s.session_id}/send/`, '{"content":');
      assert.equal(malformed.status, 400);
      const history = await api("GET", `/api/sessions/${s.session_id}/history/`);
      assert.deepEqual(history.json, [], "nothing was written");
    });

    it("runs the researcher then the writer and returns every message the run created", async () => {
      const s = await create();
      const res = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "Explain how tides work" });
      assert.equal(res.status, 200, res.text);
      const messages = res.json;
      assert.ok(Array.isArray(messages));
      for (const m of messages) assert.deepEqual(keys(m), [...MESSAGE_KEYS].sort());
      assert.equal(messages[0].role, "user");
      assert.equal(messages[0].content, "Explain how tides work");
      assert.equal(messages[0].agent, null);
      assert.equal(messages[0].session, s.id);
      const agents = messages.filter((m: any) => m.role === "agent");
      assert.deepEqual(
        agents.map((m: any) => m.agent.name),
        ["researcher", "writer"],
      );
      for (const m of agents) {
        assert.ok(m.content.length > 20);
        assert.equal(typeof m.tokens_prompt, "number");
        assert.equal(typeof m.tokens_completion, "number");
        assert.equal(typeof m.latency_ms, "number");
        assert.equal(m.metadata.model, "offline");
        assert.equal(m.tool_name, "");
      }
      // The writer visibly builds on the researcher's notes.
      assert.match(agents[1].content, /research/i);
      assert.match(agents[1].content, /tides/i);
      const history = await api("GET", `/api/sessions/${s.session_id}/history`);
      assert.deepEqual(history.json, messages);
      const updated = await api("GET", `/api/sessions/${s.session_id}/`);
      assert.ok(updated.json.updated_at > s.updated_at, "a send moves updated_at forward");
    });

    it("uses the calculator and stores the call as a tool message", async () => {
      const s = await create();
      const res = await api("POST", `/sessions/${s.session_id}/send`, { content: "What is 12 * (3 + 4)?" });
      assert.equal(res.status, 200, res.text);
      const tool = res.json.find((m: any) => m.role === "tool");
      assert.ok(tool, "a tool message");
      assert.equal(tool.tool_name, "calculator");
      assert.equal(tool.agent.name, "researcher");
      assert.deepEqual(tool.tool_input, { expression: "12 * (3 + 4)" });
      assert.equal(tool.tool_output.result, 84);
      assert.equal(tool.content, "calculator: 12 * (3 + 4) → 84", "a line clients that ignore tool_* can show");
      assert.equal(typeof tool.latency_ms, "number");
      const researcher = res.json.find((m: any) => m.role === "agent" && m.agent.name === "researcher");
      assert.match(researcher.content, /84/);
      const writer = res.json.find((m: any) => m.role === "agent" && m.agent.name === "writer");
      assert.match(writer.content, /84/);
      assert.deepEqual(
        res.json.map((m: any) => m.role),
        ["user", "tool", "agent", "agent"],
      );
    });

    it("serves history increments, state, runs and messages", async () => {
      const s = await create({ title: "State" });
      const first = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "first question" });
      const second = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "second question" });
      assert.equal(second.status, 200);
      const lastOfFirst = first.json.at(-1).id;
      const inc = await api("GET", `/api/sessions/${s.session_id}/history/?after=${lastOfFirst}`);
      assert.deepEqual(
        inc.json.map((m: any) => m.id),
        second.json.map((m: any) => m.id),
      );
      const limited = await api("GET", `/api/sessions/${s.session_id}/history/?limit=2`);
      assert.equal(limited.json.length, 2);
      assert.equal(limited.json[0].content, "first question");
      const total = first.json.length + second.json.length;
      assert.equal(limited.headers.get("x-total-count"), String(total));
      const next = /^<([^>]+)>; rel="next"$/.exec(limited.headers.get("link") ?? "")?.[1];
      assert.equal(next, `/api/sessions/${s.session_id}/history/?limit=2&after=${limited.json[1].id}`);
      let walked: any[] = [];
      for (let path: string | undefined = `/api/sessions/${s.session_id}/history/?limit=3`; path; ) {
        const res = await api("GET", path);
        walked = walked.concat(res.json);
        path = /^<([^>]+)>; rel="next"$/.exec(res.headers.get("link") ?? "")?.[1];
      }
      assert.deepEqual(
        walked.map((m) => m.id),
        [...first.json, ...second.json].map((m: any) => m.id),
      );
      const whole = await api("GET", `/api/sessions/${s.session_id}/history/`);
      assert.equal(whole.json.length, total, "the whole history, chronological (compat)");
      assert.equal(whole.headers.get("link"), null);

      const state = await api("GET", `/api/sessions/${s.session_id}/state/`);
      assert.equal(state.status, 200);
      assert.deepEqual(state.json, {
        session_id: s.session_id,
        title: "State",
        user_id: "",
        message_count: first.json.length + second.json.length,
        assignments: [
          { order: 0, agent: "researcher", role: "Research Analyst", prompt_override: false },
          { order: 1, agent: "writer", role: "Technical Writer", prompt_override: false },
        ],
        theme_hint: "Ocean Professional",
        theme: { primary: "#2563EB", secondary: "#F59E0B" },
        run: null,
      });

      const runs = await api("GET", `/api/sessions/${s.session_id}/runs/`);
      assert.equal(runs.status, 200);
      assert.equal(runs.json.length, 2);
      assert.equal(runs.headers.get("x-total-count"), "2");
      for (const r of runs.json) {
        assert.deepEqual(keys(r), [...RUN_KEYS].sort());
        assert.equal(r.status, "success");
        assert.equal(r.session, s.id);
        assert.equal(typeof r.extra.duration_ms, "number");
        assert.deepEqual(
          r.extra.agents.map((a: any) => a.agent),
          ["researcher", "writer"],
        );
        assert.ok(r.extra.agents.every((a: any) => a.tokens_completion > 0));
      }
      assert.ok(runs.json[0].id > runs.json[1].id, "newest first");
      assert.equal((await api("GET", `/api/sessions/${s.session_id}/runs/?status=error`)).json.length, 0);
      assert.equal((await api("GET", `/api/sessions/${s.session_id}/runs/?status=bogus`)).status, 400);

      const bySession = await api("GET", `/api/messages/?session=${s.session_id}`);
      assert.equal(bySession.json.length, first.json.length + second.json.length);
      const users = await api("GET", `/messages/?session=${s.session_id}&role=user`);
      assert.deepEqual(
        users.json.map((m: any) => m.content),
        ["first question", "second question"],
      );
      const paged = await api("GET", `/api/messages?session=${s.session_id}&limit=1&offset=1`);
      assert.equal(paged.json.length, 1);
      assert.equal(paged.headers.get("x-total-count"), String(bySession.json.length));
      assert.equal(paged.headers.get("link"), `</api/messages?session=${s.session_id}&limit=1&offset=2>; rel="next"`);
      const firstRun = await api("GET", `/api/sessions/${s.session_id}/runs/?limit=1`);
      assert.equal(firstRun.headers.get("link"), `</api/sessions/${s.session_id}/runs/?limit=1&offset=1>; rel="next"`);
      assert.equal(runs.headers.get("link"), null);
      const one = await api("GET", `/api/messages/${first.json[0].id}/`);
      assert.deepEqual(one.json, first.json[0]);
      assert.equal((await api("GET", "/api/messages/999999999/")).status, 404);
      assert.equal((await api("GET", "/api/messages/abc/")).status, 404);
      assert.equal((await api("GET", "/api/messages/?role=robot")).status, 400);
    });

    it("deleting a session deletes its messages and runs", async () => {
      const s = await create();
      const sent = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "to be deleted" });
      assert.equal((await api("DELETE", `/api/sessions/${s.session_id}`)).status, 204);
      assert.equal((await api("GET", `/api/messages/${sent.json[0].id}/`)).status, 404);
      assert.deepEqual((await api("GET", `/api/messages/?session=${s.session_id}`)).json, []);
    });

    it("searches every conversation by the words of its messages, on the database's full-text index", async () => {
      const bikes = await create({ title: "Bikes" });
      const maths = await create({ title: "Maths" });
      const bikeRun = await api("POST", `/api/sessions/${bikes.session_id}/send/`, {
        content: "How do bicycle gears work on a steep hill?",
      });
      assert.equal(bikeRun.status, 200, bikeRun.text);
      const mathsRun = await api("POST", `/api/sessions/${maths.session_id}/send/`, {
        content: "What is 12 * (3 + 4)?",
      });
      assert.equal(mathsRun.status, 200, mathsRun.text);
      const writer = mathsRun.json.find((m: any) => m.agent?.name === "writer");
      assert.match(writer.content, /\b84\b/);

      // A word of an agent's answer (its text arrives by updates while it streams) finds it, highlighted.
      const found = await api("GET", "/api/search/?q=84");
      assert.equal(found.status, 200, found.text);
      const hit = found.json.find((r: any) => r.message_id === writer.id);
      assert.ok(hit, `the writer's answer is found: ${found.text}`);
      assert.equal(hit.session_id, maths.session_id);
      assert.equal(hit.session_title, "Maths");
      assert.equal(hit.agent, "writer");
      assert.ok(hit.highlights.length > 0);
      for (const [start, end] of hit.highlights) assert.equal(hit.snippet.slice(start, end), "84");
      assert.ok(!hit.snippet.includes("\uE000"));

      // Every word must match, each as a prefix, in any case; the other chat does not match.
      const gears = await api("GET", "/api/search/?q=BICYCLE%20gear&limit=50");
      assert.ok(gears.json.length > 0);
      assert.ok(
        gears.json.every((r: any) => r.session_id === bikes.session_id),
        gears.text,
      );
      assert.ok(gears.json.some((r: any) => r.role === "user"));
      assert.ok(gears.json.some((r: any) => r.role === "agent"));
      assert.equal((await api("GET", "/api/search/?q=bicycle%2084")).json.length, 0);

      // Paged like every list.
      const page = await api("GET", "/api/search/?q=bicycle&limit=1");
      assert.equal(page.json.length, 1);
      assert.ok(Number(page.headers.get("x-total-count")) >= 2);
      assert.match(page.headers.get("link") ?? "", /offset=1/);

      // Search syntax is just text; bad queries are field errors.
      for (const q of ['"', "OR*", "NEAR(a b)", "a:*&|!", "*"]) {
        assert.equal((await api("GET", `/api/search/?q=${encodeURIComponent(q)}`)).status, 200, q);
      }
      assert.deepEqual((await api("GET", "/api/search/")).json, { q: ["This field is required."] });
      assert.deepEqual((await api("GET", "/api/search/?q=%20%20")).json, { q: ["This field may not be blank."] });
      assert.equal((await api("GET", "/api/search/?q=a&limit=500")).status, 400);
      // The root mirror answers too.
      assert.equal((await api("GET", "/search/?q=bicycle")).status, 200);

      // A deleted chat leaves the index with its messages.
      assert.equal((await api("DELETE", `/api/sessions/${bikes.session_id}/`)).status, 204);
      assert.equal((await api("GET", "/api/search/?q=bicycle")).json.length, 0);
    });

    it("lists agents and tools", async () => {
      const agents = await api("GET", "/api/agents/");
      assert.equal(agents.status, 200);
      assert.deepEqual(
        agents.json.slice(0, 2).map((a: any) => a.name),
        ["researcher", "writer"],
      );
      for (const a of agents.json) assert.deepEqual(keys(a), [...AGENT_KEYS].sort());
      const tools = await api("GET", "/api/tools");
      for (const t of tools.json) assert.deepEqual(keys(t), [...TOOL_KEYS].sort());
      const calculator = tools.json.find((t: any) => t.name === "calculator");
      assert.equal(calculator.schema.type, "object");
      assert.ok(calculator.schema.properties.expression);
      assert.equal((await api("POST", "/api/agents/", { name: "x" })).status, 405);
    });

    it("accepts an async send at once and finishes the run in the background", async () => {
      const s = await create();
      const res = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "async please", async: true });
      assert.equal(res.status, 202, res.text);
      assert.equal(typeof res.json.run_id, "number");
      assert.equal(res.json.message.role, "user");
      assert.equal(res.json.message.content, "async please");
      let runs: any;
      for (let i = 0; i < 100; i++) {
        runs = await api("GET", `/api/sessions/${s.session_id}/runs/`);
        if (runs.json[0]?.status !== "running") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(runs.json[0].id, res.json.run_id);
      assert.equal(runs.json[0].status, "success");
    });

    it("queues a send made while a run is going and runs it next, below the first on the active path", async () => {
      const s = await create();
      const first = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "first", async: true });
      const second = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "second", async: true });
      assert.equal(second.status, 202, second.text);
      assert.equal(second.json.message.content, "second");
      // Queued unless the first run already ended (the offline model is quick).
      if (second.json.status === "queued") assert.equal(second.json.position, 1);
      else assert.deepEqual([second.json.status, second.json.position], ["running", 0]);
      let runs: any;
      for (let i = 0; i < 200; i++) {
        runs = await api("GET", `/api/sessions/${s.session_id}/runs/`);
        if (runs.json.every((r: any) => r.status === "success")) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const [newer, older] = runs.json;
      assert.deepEqual(
        [older.id, older.kind, older.parent_run_id, older.status],
        [first.json.run_id, "send", null, "success"],
      );
      assert.deepEqual(
        [newer.id, newer.kind, newer.parent_run_id, newer.status],
        [second.json.run_id, "send", first.json.run_id, "success"],
      );
      const history = (await api("GET", `/api/sessions/${s.session_id}/history/`)).json;
      const secondAt = history.findIndex((m: any) => m.content === "second");
      assert.ok(history.slice(0, secondAt).every((m: any) => m.run_id === first.json.run_id));
      assert.ok(history.slice(secondAt).every((m: any) => m.run_id === second.json.run_id));
      assert.deepEqual((await api("GET", `/api/sessions/${s.session_id}/queue/`)).json, []);
    });

    it("rates an agent's turn up, down or not at all (ext), tells open windows, and refuses the rest", async () => {
      const s = await create();
      const sent = await api("POST", `/api/sessions/${s.session_id}/send/`, { content: "Rate me" });
      assert.equal(sent.status, 200, sent.text);
      const user = sent.json.find((m: any) => m.role === "user");
      const writer = sent.json.find((m: any) => m.agent?.name === "writer");
      assert.equal(writer.rating, null);
      const socket = await ChatClient.connect(`${server().wsUrl}/ws/chat/${s.session_id}/`);
      try {
        const up = await api("PUT", `/api/messages/${writer.id}/rating/`, { rating: "up" });
        assert.equal(up.status, 200, up.text);
        assert.deepEqual(keys(up.json), [...MESSAGE_KEYS].sort());
        assert.equal(up.json.rating, "up");
        assert.equal(up.json.content, writer.content);
        const frame = await socket.waitFor((f) => f.event === "message_updated");
        assert.equal(frame.payload?.message_id, writer.id);
        assert.equal(frame.payload?.message.rating, "up");
        assert.equal((await api("GET", `/api/messages/${writer.id}/`)).json.rating, "up");

        assert.equal((await api("PUT", `/messages/${writer.id}/rating`, { rating: "down" })).json.rating, "down");
        const history = await api("GET", `/api/sessions/${s.session_id}/history/`);
        assert.equal(history.json.find((m: any) => m.id === writer.id).rating, "down");
        assert.equal((await api("PUT", `/api/messages/${writer.id}/rating/`, { rating: null })).json.rating, null);
      } finally {
        await socket.close();
      }

      const notAgent = await api("PUT", `/api/messages/${user.id}/rating/`, { rating: "up" });
      assert.equal(notAgent.status, 400);
      assert.match(notAgent.json.detail, /agent/);
      for (const body of [{}, { rating: "meh" }, { rating: 1 }, "[]"]) {
        const bad = await api("PUT", `/api/messages/${writer.id}/rating/`, body);
        assert.equal(bad.status, 400, JSON.stringify(body));
      }
      const missing = await api("PUT", `/api/messages/${writer.id}/rating/`, {});
      assert.deepEqual(missing.json, { rating: ["This field is required."] });
      assert.equal((await api("PUT", "/api/messages/999999999/rating/", { rating: "up" })).status, 404);
      assert.equal((await api("PUT", "/api/messages/abc/rating/", { rating: "up" })).status, 404);
      assert.equal((await api("GET", `/api/messages/${writer.id}/rating/`)).status, 405);
      assert.equal(
        (await api("GET", `/api/messages/${writer.id}/`)).json.rating,
        null,
        "a refused rating writes nothing",
      );
    });

    it("answers 409 to a cancel when nothing runs", async () => {
      const s = await create();
      const res = await api("POST", `/api/sessions/${s.session_id}/cancel/`);
      assert.equal(res.status, 409);
      assert.equal(typeof res.json.detail, "string");
    });

    it("publishes an OpenAPI 3.1 document and a docs page", async () => {
      const doc = await api("GET", "/api/openapi.json");
      assert.equal(doc.status, 200);
      assert.match(doc.json.openapi, /^3\.1/);
      for (const path of [
        "/api/health/",
        "/api/sessions/",
        "/api/sessions/{session_id}/",
        "/api/sessions/{session_id}/send/",
        "/api/sessions/{session_id}/queue/",
        "/api/sessions/{session_id}/regenerate/",
        "/api/sessions/{session_id}/edit/",
        "/api/sessions/{session_id}/retry/",
        "/api/sessions/{session_id}/continue/",
        "/api/sessions/{session_id}/select/",
        "/api/sessions/{session_id}/turns/",
        "/api/messages/{id}/",
      ]) {
        assert.ok(doc.json.paths[path], path);
      }
      const send = doc.json.paths["/api/sessions/{session_id}/send/"].post;
      assert.ok(send.requestBody.content["application/json"].schema);
      const html = await fetch(`${server().url}/docs`);
      assert.equal(html.status, 200);
      const text = await html.text();
      assert.match(text, /Tandem API/);
      assert.doesNotMatch(text, /<script[^>]+src="https?:\/\//, "no scripts from the internet");
      assert.doesNotMatch(text, /<link[^>]+href="https?:\/\//, "no styles from the internet");
    });
  });
}

/**
 * Export and import of chats (issue 13, point 3), against running servers on SQLite and
 * PostgreSQL: a chat with tool calls, versions (regenerated, edited), a steer, ratings and a
 * failed run survives export → import → export exactly (ids renumbered); the Markdown export
 * reads as the active path; ChatGPT's conversations.json imports with its tree and head and a
 * report of what was left out; bad input is reported and leaves nothing half-written.
 * Models answer through the OpenAI-compatible stub, so tool calls and failures are deterministic.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { type ApiAnswer, apiClient } from "./support/api";
import { freshPostgresUrl, freshSqliteUrl, requireServices } from "./support/databases";
import { type OpenAIStub, type StubRequest, startOpenAIStub, toolMessages } from "./support/openai-stub";
import { startServer } from "./support/server";
import { onFreshServer, type SuiteDatabase } from "./support/suite";
import { ChatClient } from "./support/ws";

const CHATGPT = JSON.parse(readFileSync("test/fixtures/import/chatgpt-conversations.json", "utf8"));
const IMPORT_MAX_BYTES = 1536 * 1024;

/** The researcher (the agent with tools) calls the calculator once, then everyone answers in words. */
const answer = (req: StubRequest) =>
  (req.body.tools?.length ?? 0) > 0 && toolMessages(req.body).length === 0
    ? { toolCalls: [{ name: "calculator", arguments: { expression: "12 * (3 + 4)" } }] }
    : { text: "It is **84**.\n\n```\n12 * 7 = 84\n```" };

/**
 * An export with its ids replaced by their rank (runs and messages are exported oldest first),
 * wherever they appear: links between runs and messages, and the JSON fields that hold ids.
 * What remains must be identical between an export and the export of its import.
 */
function comparable(chat: any) {
  const runs = new Map<number, number>(chat.runs.map((r: any, i: number) => [r.id, i + 1]));
  const messages = new Map<number, number>(chat.messages.map((m: any, i: number) => [m.id, i + 1]));
  const run = (id: number | null) => (id === null ? null : runs.get(id));
  const message = (id: number | null) => (id === null ? null : messages.get(id));
  const swap = (o: any, key: string, map: (id: number) => number | null | undefined) => {
    if (o && typeof o[key] === "number") o[key] = map(o[key]);
  };
  const out = structuredClone(chat);
  delete out.exported_at;
  delete out.session.session_id;
  for (const r of out.runs) {
    r.id = run(r.id);
    r.parent_run_id = run(r.parent_run_id);
    r.resumes_run_id = run(r.resumes_run_id);
    r.user_message_id = message(r.user_message_id);
    swap(r.extra, "run_id", run);
    if (Array.isArray(r.extra?.messages)) r.extra.messages = r.extra.messages.map(message);
  }
  for (const m of out.messages) {
    m.id = message(m.id);
    m.run_id = run(m.run_id);
    swap(m.metadata, "run_id", run);
    swap(m.metadata, "continued_by", run);
    swap(m.metadata, "edit_of", message);
  }
  out.head_run_id = run(out.head_run_id);
  return out;
}

function defineTransferSuite(label: string, database: SuiteDatabase) {
  describe(`export and import (${label})`, () => {
    let stub: OpenAIStub;
    let api: ReturnType<typeof apiClient>;
    /** The chat built in `prepare`, and its runs by name. */
    let chatId: string;
    const runs: Record<string, number> = {};

    const count = async (path: string) => Number((await api("GET", path)).headers.get("x-total-count"));
    const rows = async () => ({
      sessions: await count("/api/sessions/?limit=1"),
      messages: await count("/api/messages/?limit=1"),
    });
    const importBody = (body: unknown) => api("POST", "/api/import/", body);
    const exported = async (id: string) => {
      const res = await api("GET", `/api/sessions/${id}/export/?format=json`);
      assert.equal(res.status, 200, res.text);
      return res.json;
    };

    const { it } = onFreshServer(label, database, {
      start: async (databaseUrl) => {
        stub = await startOpenAIStub();
        stub.setBehaviors([{ kind: "reply", reply: answer }]);
        return startServer({
          databaseUrl,
          env: {
            OPENAI_API_KEY: "sk-test",
            OPENAI_BASE_URL: stub.baseURL,
            TANDEM_MODEL: "stub-model",
            TANDEM_MODEL_RETRIES: "0",
            TANDEM_IMPORT_MAX_BYTES: String(IMPORT_MAX_BYTES),
          },
        });
      },
      prepare: async (server) => {
        api = apiClient(server.url);

        // The chat: a tool call, an answer regenerated, the first message edited, back to the
        // regenerated version, a steered turn, ratings, and a failed turn last.
        chatId = (await api("POST", "/api/sessions/", { title: "Gears: 12 × 7 — ünïcode" })).json.session_id;
        const first = await api("POST", `/api/sessions/${chatId}/send/`, { content: "What is 12 * (3 + 4)?" });
        assert.equal(first.status, 200, first.text);
        assert.ok(first.json.some((m: any) => m.role === "tool" && m.tool_name === "calculator"));
        runs.sent = first.json[0].run_id;
        const regen = await api("POST", `/api/sessions/${chatId}/regenerate/`, {});
        assert.equal(regen.status, 200, regen.text);
        runs.regenerated = regen.json[1].run_id;
        const edit = await api("POST", `/api/sessions/${chatId}/edit/`, {
          message_id: first.json[0].id,
          content: "What is 2 + 2?",
        });
        assert.equal(edit.status, 200, edit.text);
        assert.equal((await api("POST", `/api/sessions/${chatId}/select/`, { run_id: runs.regenerated })).status, 200);

        stub.setBehaviors([{ kind: "reply", reply: answer, chunks: 20, chunkDelayMs: 40 }]);
        const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${chatId}/`);
        const long = await api("POST", `/api/sessions/${chatId}/send/`, {
          content: "Explain gear ratios",
          async: true,
        });
        runs.steered = long.json.run_id;
        await client.waitFor((f) => f.event === "agent_started" && f.payload!.run_id === runs.steered);
        const steer = await api("POST", `/api/sessions/${chatId}/send/`, { content: "Keep it short", steer: true });
        assert.equal(steer.status, 202, steer.text);
        await client.waitFor((f) => f.event === "run_completed" && f.payload!.run_id === runs.steered);
        await client.close();

        const history = (await api("GET", `/api/sessions/${chatId}/history/`)).json;
        const agents = history.filter((m: any) => m.role === "agent");
        assert.equal((await api("PUT", `/api/messages/${agents[0].id}/rating/`, { rating: "down" })).status, 200);
        assert.equal((await api("PUT", `/api/messages/${agents.at(-1).id}/rating/`, { rating: "up" })).status, 200);

        stub.setBehaviors([
          { kind: "status", status: 503, times: 1 },
          { kind: "reply", reply: answer },
        ]);
        const failed = await api("POST", `/api/sessions/${chatId}/send/`, { content: "And 84 / 0?" });
        assert.equal(failed.status, 502, failed.text);
        runs.failed = failed.json.run_id;
      },
      cleanup: async () => stub?.close(),
    });

    it("export → import → export gives the same chat: every run, version, tool call, steer, rating", async () => {
      const original = await exported(chatId);
      assert.equal(original.format, "tandem.chat");
      assert.equal(original.version, 1);
      assert.deepEqual(
        [...new Set(original.runs.map((r: any) => r.kind))].sort(),
        ["edit", "regenerate", "send"],
        "versions of both kinds are in the file",
      );
      assert.ok(original.runs.some((r: any) => r.status === "error" && /503/.test(r.details)));
      assert.ok(original.messages.some((m: any) => m.role === "tool" && m.tool_input?.expression === "12 * (3 + 4)"));
      assert.ok(original.messages.some((m: any) => m.metadata?.steer === true));
      assert.ok(original.messages.some((m: any) => m.metadata?.edit_of));
      assert.deepEqual(original.messages.map((m: any) => m.rating).filter(Boolean), ["down", "up"]);
      assert.equal(original.head_run_id, runs.failed);
      assert.deepEqual(
        original.team.map((m: any) => m.agent),
        ["researcher", "writer"],
      );

      const imported = await importBody(original);
      assert.equal(imported.status, 201, imported.text);
      assert.equal(imported.json.failed.length, 0);
      const [report] = imported.json.imported;
      assert.notEqual(report.session_id, chatId, "a new session, never the old one");
      assert.deepEqual(report.skipped, []);
      assert.equal(report.messages, original.messages.length);
      assert.equal(report.runs, original.runs.length);
      assert.equal(report.title, "Gears: 12 × 7 — ünïcode");

      const again = await exported(report.session_id);
      assert.deepEqual(comparable(again), comparable(original));
      // What the API shows of it matches too: the active path and its turns.
      const shown = async (id: string) => {
        const history = (await api("GET", `/api/sessions/${id}/history/`)).json;
        const turns = (await api("GET", `/api/sessions/${id}/turns/`)).json;
        return {
          history: history.map((m: any) => [m.role, m.agent?.name ?? null, m.content, m.rating]),
          turns: turns.map((t: any) => [
            t.kind,
            t.status,
            t.error,
            t.versions.count,
            t.edits.count,
            t.message_ids.length,
          ]),
        };
      };
      assert.deepEqual(await shown(report.session_id), await shown(chatId));
      // And it can go on: a send on the imported chat hangs below its head.
      const next = await api("POST", `/api/sessions/${report.session_id}/send/`, { content: "Thanks" });
      assert.equal(next.status, 200, next.text);
    });

    it("a chat exported mid-run imports its running run as failed and the message it was writing as interrupted, searchable", async () => {
      const original = await exported(chatId);
      // As if exported while the first run's writer was still writing its answer.
      const run = original.runs.find((r: any) => r.id === runs.sent);
      run.status = "running";
      const writing = original.messages.findLast((m: any) => m.run_id === runs.sent && m.role === "agent");
      writing.metadata = { ...writing.metadata, streaming: true };
      writing.content = "Halfway through: the gearbox quolls";

      const imported = await importBody(original);
      assert.equal(imported.status, 201, imported.text);
      const [report] = imported.json.imported;
      assert.deepEqual(report.skipped, [
        { what: "1 running run(s)", why: "still going when exported; imported as failed" },
      ]);
      const again = await exported(report.session_id);
      const message = again.messages.find((m: any) => m.content === writing.content);
      assert.equal(message.metadata.streaming, false);
      assert.equal(message.metadata.interrupted, true);
      assert.equal(again.runs.find((r: any) => r.id === message.run_id).status, "error");
      const found = (await api("GET", "/api/search/?q=quolls")).json;
      assert.deepEqual(
        found.map((h: any) => h.session_id),
        [report.session_id],
        "its text is searchable, as any finished message",
      );
    });

    it("the Markdown export is the active path: authors, times, text as is, tool calls, the failed turn", async () => {
      const res = await api("GET", `/api/sessions/${chatId}/export/?format=md`);
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get("content-type") ?? "", /^text\/markdown/);
      assert.match(
        res.headers.get("content-disposition") ?? "",
        /^attachment; filename="tandem-gears-12-7-unicode-\d{4}-\d{2}-\d{2}\.md"/,
      );
      const md = res.text;
      assert.ok(md.startsWith("# Gears: 12 × 7 — ünïcode\n"), md.slice(0, 80));
      assert.match(md, /^### You · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\n\nWhat is 12 \* \(3 \+ 4\)\?$/m);
      assert.ok(!md.includes("What is 2 + 2?"), "the edited branch is not on the active path");
      assert.match(md, /^\*\*Tool call \(researcher\):\*\* `calculator` · /m);
      assert.ok(md.includes('```json\n{\n  "expression": "12 * (3 + 4)"\n}\n```'), "the input as fenced JSON");
      // The answer's own fence stays inside the text: the message is given as is.
      assert.ok(md.includes("### writer · "));
      assert.ok(md.includes("It is **84**.\n\n```\n12 * 7 = 84\n```"));
      assert.match(md, /^### You \(guidance during the run\) · .*\n\nKeep it short$/m);
      assert.match(md, /^### You · .*\n\nAnd 84 \/ 0\?\n\n> \*\*This turn failed:\*\* .*503/m);
      assert.equal((await api("GET", `/api/sessions/${chatId}/export/?format=xml`)).status, 400);
      assert.equal((await api("GET", "/api/sessions/no-such-chat/export/")).status, 404);
      const json = await api("GET", `/api/sessions/${chatId}/export/`);
      assert.match(json.headers.get("content-disposition") ?? "", /filename="tandem-gears-12-7-unicode-.*\.json"/);
    });

    it("ChatGPT's conversations.json imports with its branches, head and a report of what was left out", async () => {
      const res = await importBody(CHATGPT);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.json.failed, []);
      const [gears, bread] = res.json.imported;
      assert.equal(gears.title, "Bicycle gears");
      assert.equal(gears.runs, 5);
      assert.equal(gears.messages, 9);
      assert.deepEqual(gears.skipped.map((s: any) => s.what).sort(), [
        "1 × image asset pointer",
        "1 × system message",
        "1 × tool call",
        "1 × tool message",
      ]);
      assert.ok(gears.skipped.every((s: any) => s.why.length > 0));
      assert.deepEqual([bread.title, bread.runs, bread.messages, bread.skipped], ["Sourdough starter", 2, 4, []]);

      // current_node (a-6) chose the path: the regenerated answer, the edited follow-up, the image question.
      const history = (await api("GET", `/api/sessions/${gears.session_id}/history/`)).json;
      assert.deepEqual(
        history.map((m: any) => [m.role, m.agent?.name ?? null, m.content]),
        [
          ["user", null, "I have 3 chainrings and 8 cogs. How many gear combinations is that?"],
          ["agent", "writer", "3 × 8 = **24** gear combinations, though a few of them cross-chain."],
          ["user", null, "Which ones are best for climbing?"],
          ["agent", "writer", "The smallest chainring with the largest cogs."],
          ["user", null, "Here is my cassette: what ratio is my lowest gear with a 34 chainring?"],
          ["agent", "writer", "Your lowest gear is 34/28, a ratio of about 1.21."],
        ],
      );
      assert.equal(history[0].created_at, "2025-01-01T10:00:00.000Z", "ChatGPT's times are kept");
      assert.deepEqual(history[1].metadata, {
        imported_from: "chatgpt",
        source_id: "a-2",
        author: "assistant",
        model: "gpt-4o",
      });
      const turns = (await api("GET", `/api/sessions/${gears.session_id}/turns/`)).json;
      assert.deepEqual(
        turns.map((t: any) => [t.kind, t.status, t.versions.index, t.versions.count, t.edits.index, t.edits.count]),
        [
          ["regenerate", "success", 1, 2, 0, 1],
          ["edit", "success", 0, 1, 1, 2],
          ["send", "success", 0, 1, 0, 1],
        ],
      );
      // The other versions are there to switch to: the first answer, and the first follow-up with its answer.
      const all = (await api("GET", `/api/sessions/${gears.session_id}/history/?versions=all`)).json;
      assert.ok(all.some((m: any) => m.content === "24 combinations."));
      assert.ok(all.some((m: any) => m.content === "Avoid big-big and small-small: they cross-chain."));
      const firstAnswer = turns[0].versions.run_ids[0];
      assert.equal(
        (await api("POST", `/api/sessions/${gears.session_id}/select/`, { run_id: firstAnswer })).status,
        200,
      );
      const switched = (await api("GET", `/api/sessions/${gears.session_id}/history/`)).json;
      assert.deepEqual(
        switched.map((m: any) => m.content),
        ["I have 3 chainrings and 8 cogs. How many gear combinations is that?", "24 combinations."],
      );
      const runList = (await api("GET", `/api/sessions/${gears.session_id}/runs/`)).json;
      assert.ok(runList.every((r: any) => r.extra.imported_from === "chatgpt" && r.status === "success"));
    });

    it("bad input is reported per conversation, and nothing of a failed one is written", async () => {
      const before = await rows();
      const expectNothing = async (res: ApiAnswer, status: number, detail: RegExp) => {
        assert.equal(res.status, status, res.text);
        assert.match(res.json.detail, detail);
        assert.deepEqual(await rows(), before);
      };
      await expectNothing(await importBody("{not json"), 400, /JSON parse error/);
      await expectNothing(await importBody({ hello: "world" }), 400, /Unknown format/);
      await expectNothing(await importBody([]), 400, /Nothing was imported/);

      const good = await exported(chatId);
      const dangling = structuredClone(good);
      dangling.session.title = "Dangling";
      dangling.messages[0].run_id = 999_999;
      const newer = { ...structuredClone(good), version: 2 };
      newer.session.title = "From the future";
      // A value the database's 32-bit columns cannot hold, on the last message.
      const unstorable = structuredClone(good);
      unstorable.session.title = "Unstorable";
      unstorable.messages.at(-1).tokens_prompt = 2 ** 40;
      const mixed = await importBody({ chats: [dangling, good, newer, unstorable, { format: "tandem.chat" }] });
      assert.equal(mixed.status, 201, mixed.text);
      assert.equal(mixed.json.imported.length, 1);
      assert.deepEqual(
        mixed.json.failed.map((f: any) => f.title),
        ["Dangling", "From the future", "Unstorable", "Chat 5"],
      );
      assert.match(mixed.json.failed[0].why, /run_id 999999 is not in the file/);
      assert.match(mixed.json.failed[1].why, /version 2 is newer/);
      assert.match(mixed.json.failed[2].why, /^messages\.\d+\.tokens_prompt: /);
      assert.deepEqual(await rows(), {
        sessions: before.sessions + 1,
        messages: before.messages + good.messages.length,
      });

      const allBad = await importBody([{ title: "No mapping" }, { title: "Empty", mapping: {} }]);
      assert.equal(allBad.status, 400, allBad.text);
      assert.deepEqual(
        allBad.json.failed.map((f: any) => [f.title, f.why]),
        [
          ["No mapping", "mapping: Invalid input: expected record, received undefined"],
          ["Empty", "No user or assistant text in it."],
        ],
      );
      assert.deepEqual(allBad.json.imported, []);
    });

    it("import takes bodies up to TANDEM_IMPORT_MAX_BYTES (others stay at 1 MiB), and at most 1000 conversations", async () => {
      const padding = "x".repeat(1024 * 1024 + 10_000);
      const big = [{ ...CHATGPT[1], title: "Big", padding }];
      const ok = await importBody(big);
      assert.equal(ok.status, 201, "over 1 MiB is fine here");
      assert.equal((await api("POST", "/api/sessions/", { title: "x", pad: padding })).status, 413, "not elsewhere");
      const tooBig = await importBody([{ ...CHATGPT[1], padding: "x".repeat(IMPORT_MAX_BYTES) }]);
      assert.equal(tooBig.status, 413);
      assert.match(tooBig.json.detail, new RegExp(`limit is ${IMPORT_MAX_BYTES} bytes`));
      const many = await importBody(Array.from({ length: 1001 }, () => ({})));
      assert.equal(many.status, 413);
      assert.match(many.json.detail, /at most 1000/);
      // The root mirror answers too.
      assert.equal((await api("POST", "/import/", [CHATGPT[1]])).status, 201);
    });
  });
}

describe("a chat that fails while it is being written", () => {
  test("rolls back whole: no session, run or message of it is left", async () => {
    // The data module reads DATABASE_URL once, when first imported: point it at a fresh database.
    const url = await freshSqliteUrl("transfer-rollback");
    process.env.DATABASE_URL = url;
    process.env.LOG_LEVEL = "silent";
    const { deployMigrations } = await import("@/lib/db/migrate");
    await deployMigrations(url);
    const { db } = await import("@/lib/db/connection");
    const { insertChat } = await import("@/lib/db/transfer");
    const counts = async () => [await db().chatSession.count(), await db().runLog.count(), await db().message.count()];
    const at = "2026-01-01T00:00:00.000Z";
    const message = (id: number, role: string) => ({
      id,
      role,
      agent: null,
      content: `message ${id}`,
      tool_name: "",
      tool_input: null,
      tool_output: null,
      tokens_prompt: null,
      tokens_completion: null,
      latency_ms: null,
      metadata: null,
      rating: null,
      run_id: 1,
      created_at: at,
      updated_at: at,
    });
    const chat: any = {
      format: "tandem.chat",
      version: 1,
      exported_at: at,
      session: { session_id: "x", title: "Half", user_id: "", metadata: null, created_at: at, updated_at: at },
      team: [],
      runs: [
        { id: 1, kind: "send", status: "success", agent: null, details: "", extra: null, parent_run_id: null },
      ].map((r) => ({ ...r, user_message_id: 1, resumes_run_id: null, created_at: at, updated_at: at })),
      // The third message is one the database refuses (no such role), after the session, run and two messages.
      messages: [message(1, "user"), message(2, "agent"), message(3, "narrator")],
      head_run_id: 1,
    };
    const before = await counts();
    await assert.rejects(
      insertChat(chat, { sessionId: "half-written", agents: new Map(), tools: new Map(), owner: {} }),
    );
    assert.deepEqual(await counts(), before);
    chat.messages.pop();
    await insertChat(chat, { sessionId: "whole", agents: new Map(), tools: new Map(), owner: {} });
    assert.deepEqual(await counts(), [before[0] + 1, before[1] + 1, before[2] + 2], "the same chat, valid, is written");
    await db().$disconnect();
  });
});

defineTransferSuite("sqlite", async () => ({ url: await freshSqliteUrl("transfer") }));
defineTransferSuite("postgres", async () => {
  const db = await freshPostgresUrl("transfer");
  if (!db && requireServices()) throw new Error("PostgreSQL is required (TANDEM_REQUIRE_SERVICES=1) but unreachable");
  return db;
});

/**
 * Lists at scale: 5,000 sessions (seeded straight into the database, each with the default team)
 * list page by page, at every page size the API allows, and the admin's session list too; and a
 * chat of 2,000 turns, whole in its history, turns and export. Defined once and run for each
 * provider (lists.sqlite.test.ts, lists.postgres.test.ts).
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { type ApiAnswer, apiClient } from "./support/api";
import { onFreshServer, type SuiteDatabase } from "./support/suite";

const SESSIONS = 5000;
/** A chat whose turns' ids are more than one SQLite statement takes as bind values. */
const LONG_TURNS = 2000;
const SUMMARY_KEYS = ["created_at", "last_message_at", "message_count", "pinned", "session_id", "title", "updated_at"];

const ok = (res: ApiAnswer) => {
  assert.equal(res.status, 200, res.text.slice(0, 500));
  return res;
};
const nextOf = (res: ApiAnswer) => /^<([^>]+)>; rel="next"$/.exec(res.headers.get("link") ?? "")?.[1] ?? null;

export function defineListSuite(label: string, database: SuiteDatabase) {
  describe(`lists of ${SESSIONS} sessions (${label})`, () => {
    let api: ReturnType<typeof apiClient>;
    let template: any;
    let data: typeof import("@/lib/db/connection") & typeof import("@/lib/db/sessions");

    const { it } = onFreshServer(label, database, {
      prepare: async (server, databaseUrl) => {
        api = apiClient(server.url);
        const created = await api("POST", "/api/sessions/", { title: "template" });
        assert.equal(created.status, 201, created.text);
        template = created.json;
        // The seeder and the admin's data functions run in this process, on the same database (the
        // data module reads DATABASE_URL once, when first imported).
        process.env.DATABASE_URL = databaseUrl;
        process.env.LOG_LEVEL = "silent";
        const { seedSessions } = await import("@/bench/seed");
        await seedSessions(databaseUrl, SESSIONS - 1, { prefix: "scale", teamOf: template.id });
        data = { ...(await import("@/lib/db/connection")), ...(await import("@/lib/db/sessions")) };
      },
      cleanup: async () => {
        if (data) await data.disconnectDb();
      },
    });
    /** Every session carries the template's team: its agents in order, with the same tools. */
    const sameTeam = (s: any) =>
      assert.deepEqual(
        s.assignments.map((a: any) => [a.order, a.agent.name, a.tools.map((t: any) => t.name)]),
        template.assignments.map((a: any) => [a.order, a.agent.name, a.tools.map((t: any) => t.name)]),
        s.session_id,
      );

    it("answers the default page: 100 sessions, the total, and a link to the next page", async () => {
      const res = ok(await api("GET", "/api/sessions/"));
      assert.equal(res.json.length, 100);
      assert.equal(res.headers.get("x-total-count"), String(SESSIONS));
      assert.equal(nextOf(res), "/api/sessions/?limit=100&offset=100");
      assert.equal(res.json[0].session_id, template.session_id, "newest first");
      assert.equal(res.json[1].title, `Seeded chat ${SESSIONS - 2}`);
      res.json.forEach(sameTeam);
    });

    it("answers the largest page (1,000 sessions with their assignments and tools)", async () => {
      const res = ok(await api("GET", "/api/sessions/?limit=1000"));
      assert.equal(res.json.length, 1000);
      assert.equal(new Set(res.json.map((s: any) => s.session_id)).size, 1000);
      res.json.forEach(sameTeam);
      assert.equal(nextOf(res), "/api/sessions/?limit=1000&offset=1000");
    });

    it("answers the last pages, and no next link at the end", async () => {
      const tail = ok(await api("GET", `/api/sessions/?offset=${SESSIONS - 10}`));
      assert.deepEqual(
        tail.json.map((s: any) => s.title),
        Array.from({ length: 10 }, (_, i) => `Seeded chat ${9 - i}`),
      );
      assert.equal(tail.headers.get("link"), null);
      tail.json.forEach(sameTeam);
      const last = ok(await api("GET", `/api/sessions/?limit=1000&offset=${SESSIONS - 1000}`));
      assert.equal(last.json.length, 1000);
      assert.equal(last.headers.get("link"), null);
      last.json.forEach(sameTeam);
      assert.deepEqual(ok(await api("GET", `/api/sessions/?offset=${SESSIONS}`)).json, []);
    });

    it("walks every session by following the Link headers, on the root mirror too", async () => {
      const seen = new Set<string>();
      let path: string | null = "/sessions/?limit=1000";
      let pages = 0;
      while (path) {
        const res = ok(await api("GET", path));
        for (const s of res.json) seen.add(s.session_id);
        path = nextOf(res);
        pages++;
      }
      assert.equal(pages, 5);
      assert.equal(seen.size, SESSIONS);
    });

    it("lists summaries without assignments, latest active first, at any page size", async () => {
      const renamed = await api("PATCH", `/api/sessions/scale-17/`, { title: "touched" });
      assert.equal(renamed.status, 200, renamed.text);
      const res = ok(await api("GET", "/api/sessions/?view=summary&ordering=-updated_at&limit=1000"));
      assert.equal(res.json.length, 1000);
      assert.equal(res.headers.get("x-total-count"), String(SESSIONS));
      assert.deepEqual(Object.keys(res.json[0]).sort(), SUMMARY_KEYS);
      assert.equal(res.json[0].session_id, "scale-17", "the latest active first");
      assert.equal(res.json[0].message_count, 0);
      const full = ok(await api("GET", "/api/sessions/?limit=1000"));
      assert.ok(res.text.length * 5 < full.text.length, `summary ${res.text.length} B, full ${full.text.length} B`);
      const end = ok(await api("GET", `/api/sessions/?view=summary&limit=1000&offset=${SESSIONS - 5}`));
      assert.equal(end.json.length, 5);
    });

    it("ext: lists summaries in the sidebar's order (pinned, then latest message) at any page size", async () => {
      ok(await api("PATCH", "/api/sessions/scale-3/", { pinned: true }));
      ok(await api("PATCH", "/api/sessions/scale-4/", { title: "renamed, not moved" }));
      const res = ok(await api("GET", "/api/sessions/?view=summary&ordering=-last_message_at&limit=1000"));
      assert.equal(res.json.length, 1000);
      assert.deepEqual(
        res.json.slice(0, 3).map((s: any) => s.session_id),
        ["scale-3", template.session_id, `scale-${SESSIONS - 2}`],
      );
      const last = ok(await api("GET", `/api/sessions/?view=summary&ordering=-last_message_at&offset=${SESSIONS - 4}`));
      assert.deepEqual(
        last.json.map((s: any) => s.session_id),
        ["scale-4", "scale-2", "scale-1", "scale-0"],
        "the renamed chat keeps its place; the pinned one is not at its old place",
      );
      ok(await api("PATCH", "/api/sessions/scale-3/", { pinned: false }));
    });

    it("lists the admin's sessions with their agents at any page size", async () => {
      const { rows, total } = await data.listSessionsPage({ limit: 1000, offset: 0 });
      assert.equal(total, SESSIONS);
      assert.equal(rows.length, 1000);
      for (const s of rows)
        assert.deepEqual(
          s.assignments.map((a) => a.agent.name),
          ["researcher", "writer"],
        );
    });
  });

  describe(`a chat of ${LONG_TURNS} turns (${label})`, () => {
    let api: ReturnType<typeof apiClient>;
    let chat: { id: number; session_id: string };

    const { it } = onFreshServer(label, database, {
      prepare: async (server, databaseUrl) => {
        api = apiClient(server.url);
        chat = (await api("POST", "/api/sessions/", { title: "a long chat" })).json;
        const { seedHistory } = await import("@/bench/seed");
        await seedHistory(databaseUrl, chat.id, 2 * LONG_TURNS);
      },
    });

    it("pages through the whole history by its Link headers, in order", async () => {
      const seen: string[] = [];
      for (let path: string | null = `/api/sessions/${chat.session_id}/history/`; path; ) {
        const res = ok(await api("GET", path));
        if (seen.length === 0) assert.equal(res.headers.get("x-total-count"), String(2 * LONG_TURNS));
        seen.push(...res.json.map((m: any) => m.content.split(":")[0]));
        path = nextOf(res);
      }
      assert.equal(seen.length, 2 * LONG_TURNS);
      assert.deepEqual(
        seen,
        Array.from({ length: 2 * LONG_TURNS }, (_, i) => `Seeded message ${i}`),
      );
    });

    it("lists every turn with its two messages, and exports them all as Markdown", async () => {
      const turns = ok(await api("GET", `/api/sessions/${chat.session_id}/turns/`));
      assert.equal(turns.json.length, LONG_TURNS);
      assert.ok(turns.json.every((t: any) => t.message_ids.length === 2));
      const exported = ok(await api("GET", `/api/sessions/${chat.session_id}/export/?format=md`));
      assert.equal(exported.text.match(/Seeded message \d+:/g)?.length, 2 * LONG_TURNS);
    });
  });
}

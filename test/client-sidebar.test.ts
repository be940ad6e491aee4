/** The sidebar's state: date groups, its order, page merges, and single-row changes. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ApiClient, Page } from "@/lib/client/api";
import {
  mergeFirstPage,
  SESSIONS_FILTER_PAGE_SIZE,
  SessionsStore,
  type SidebarSession,
  sortSessions,
} from "@/lib/client/sessions";
import { groupSessions, sidebarRows } from "@/lib/client/sidebar-groups";
import type { Session, SessionSummary } from "@/lib/contract/types";

const chat = (id: string, at: Date | string, pinned = false): SidebarSession => {
  const iso = typeof at === "string" ? at : at.toISOString();
  return { session_id: id, title: id, pinned, last_message_at: iso, created_at: iso, updated_at: iso };
};
const ids = (list: { session_id: string }[]) => list.map((s) => s.session_id);

describe("date groups", () => {
  // Local times, so the test holds in any time zone.
  const now = new Date(2026, 11, 5, 10, 0);
  const day = (d: number, h = 12) => new Date(2026, 11, d, h);

  test("Pinned, Today, Yesterday, Previous 7 days, Previous 30 days, then months", () => {
    const list = sortSessions([
      chat("pinned-old", new Date(2025, 0, 1), true),
      chat("today-early", new Date(2026, 11, 5, 0, 0)),
      chat("today", day(5, 9)),
      chat("yesterday-late", new Date(2026, 11, 4, 23, 59)),
      chat("yesterday", day(4, 0)),
      chat("week", new Date(2026, 10, 30, 12)),
      chat("week-start", new Date(2026, 10, 28, 0, 0)),
      chat("month", new Date(2026, 10, 27, 23, 59)),
      chat("month-start", new Date(2026, 10, 5, 0, 0)),
      chat("november", new Date(2026, 10, 4, 23, 59)),
      chat("october", new Date(2026, 9, 31)),
      chat("last-year", new Date(2025, 11, 25)),
    ]);
    const groups = groupSessions(list, now);
    assert.deepEqual(
      groups.map((g) => [g.label, ids(g.sessions)]),
      [
        ["Pinned", ["pinned-old"]],
        ["Today", ["today", "today-early"]],
        ["Yesterday", ["yesterday-late", "yesterday"]],
        ["Previous 7 days", ["week", "week-start"]],
        ["Previous 30 days", ["month", "month-start"]],
        ["November 2026", ["november"]],
        ["October 2026", ["october"]],
        ["December 2025", ["last-year"]],
      ],
    );
    const rows = sidebarRows(groups);
    assert.equal(rows[0].kind, "heading");
    assert.equal(rows.filter((r) => r.kind === "heading").length, groups.length);
    assert.equal(rows.filter((r) => r.kind === "session").length, list.length);
  });

  test("a message from the future (a skewed clock) counts as today; no chats, no groups", () => {
    assert.deepEqual(
      groupSessions([chat("later", day(6))], now).map((g) => g.label),
      ["Today"],
    );
    assert.deepEqual(groupSessions([], now), []);
  });
});

describe("the sidebar's order", () => {
  test("pinned first in the order given, then latest message first", () => {
    const list = sortSessions([
      chat("a", "2026-01-01T00:00:00.000Z"),
      chat("p2", "2020-01-01T00:00:00.000Z", true),
      chat("b", "2026-02-01T00:00:00.000Z"),
      chat("p1", "2026-03-01T00:00:00.000Z", true),
    ]);
    assert.deepEqual(ids(list), ["p2", "p1", "b", "a"]);
  });

  test("a fresh first page replaces its rows, drops the ones it should have held, keeps the rest", () => {
    const loaded = [
      chat("p", "2026-01-05T00:00:00.000Z", true),
      chat("gone", "2026-01-04T00:00:00.000Z"),
      chat("x", "2026-01-03T00:00:00.000Z"),
      chat("older", "2026-01-01T00:00:00.000Z"),
    ];
    const page = [
      chat("p", "2026-01-05T00:00:00.000Z", true),
      chat("new", "2026-01-06T00:00:00.000Z"),
      chat("x", "2026-01-03T00:00:00.000Z"),
    ];
    assert.deepEqual(ids(mergeFirstPage(loaded, page, false)), ["p", "new", "x", "older"]);
    assert.deepEqual(ids(mergeFirstPage(loaded, page, true)), ["p", "new", "x"], "a complete page is the whole list");
  });
});

describe("SessionsStore", () => {
  const summary = (s: SidebarSession): SessionSummary => ({ ...s, message_count: 1 });
  function fakeApi(all: SidebarSession[], opts: { failPin?: boolean } = {}) {
    const calls: string[] = [];
    const api = {
      async listSessionSummaries(page: { offset: number; limit: number }): Promise<Page<SessionSummary>> {
        calls.push(`list ${page.offset}+${page.limit}`);
        const items = all.slice(page.offset, page.offset + page.limit).map(summary);
        return { items, total: all.length, next: page.offset + page.limit < all.length ? "next" : null };
      },
      async pinSession(id: string, pinned: boolean): Promise<Session> {
        calls.push(`pin ${id} ${pinned}`);
        if (opts.failPin) throw new Error("refused");
        const s = all.find((x) => x.session_id === id)!;
        return { ...s, pinned, id: 1, user_id: "", metadata: null, assignments: [] };
      },
      async renameSession(id: string, title: string): Promise<Session> {
        calls.push(`rename ${id}`);
        const s = all.find((x) => x.session_id === id)!;
        return { ...s, title, id: 1, user_id: "", metadata: null, assignments: [] };
      },
    };
    return { api: api as unknown as ApiClient, calls };
  }
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => chat(`c${i}`, new Date(Date.UTC(2026, 0, 1) - i * 60_000)));

  test("loads a page at a time; a refresh fetches only the first page again", async () => {
    const { api, calls } = fakeApi(many(120));
    const store = new SessionsStore({ api });
    await store.refresh();
    assert.equal(store.getSnapshot().sessions.length, 50);
    assert.equal(store.getSnapshot().hasMore, true);
    await store.loadMore();
    await store.loadMore();
    assert.equal(store.getSnapshot().sessions.length, 120);
    assert.equal(store.getSnapshot().hasMore, false);
    await store.refresh();
    assert.equal(store.getSnapshot().sessions.length, 120, "what was loaded stays");
    assert.deepEqual(calls, ["list 0+50", "list 50+50", "list 100+50", "list 0+50"]);
  });

  test("a filter's pages are larger: it looks beyond what is loaded in a few requests", async () => {
    const { api, calls } = fakeApi(many(1200));
    const store = new SessionsStore({ api });
    await store.refresh();
    await store.loadMore(SESSIONS_FILTER_PAGE_SIZE);
    await store.loadMore(SESSIONS_FILTER_PAGE_SIZE);
    await store.loadMore(SESSIONS_FILTER_PAGE_SIZE);
    assert.equal(store.getSnapshot().sessions.length, 1200);
    assert.equal(store.getSnapshot().hasMore, false);
    assert.deepEqual(calls, ["list 0+50", "list 50+500", "list 550+500", "list 1050+500"]);
  });

  test("a rename changes its row in place; a new message moves the chat up; no refetch", async () => {
    const { api, calls } = fakeApi(many(5));
    const store = new SessionsStore({ api });
    await store.refresh();
    await store.rename("c3", "renamed");
    assert.deepEqual(ids(store.getSnapshot().sessions), ["c0", "c1", "c2", "c3", "c4"]);
    assert.equal(store.getSnapshot().sessions[3].title, "renamed");
    store.touch("c4", "2026-02-01T00:00:00.000Z");
    assert.deepEqual(ids(store.getSnapshot().sessions), ["c4", "c0", "c1", "c2", "c3"]);
    store.touch("c4", "2020-01-01T00:00:00.000Z");
    assert.equal(ids(store.getSnapshot().sessions)[0], "c4", "an older time does not move it back");
    assert.deepEqual(calls, ["list 0+50", "rename c3"]);
  });

  test("pin puts the chat first among the pinned at once; a refused pin is put back", async () => {
    const { api } = fakeApi(many(4));
    const store = new SessionsStore({ api });
    await store.refresh();
    await store.setPinned("c2", true);
    await store.setPinned("c3", true);
    assert.deepEqual(ids(store.getSnapshot().sessions), ["c3", "c2", "c0", "c1"]);
    await store.setPinned("c3", false);
    assert.deepEqual(ids(store.getSnapshot().sessions), ["c2", "c0", "c1", "c3"]);

    const failing = new SessionsStore({ api: fakeApi(many(3), { failPin: true }).api });
    await failing.refresh();
    const pin = failing.setPinned("c1", true);
    assert.equal(failing.getSnapshot().sessions[0].session_id, "c1", "shown pinned at once");
    await assert.rejects(pin);
    assert.deepEqual(ids(failing.getSnapshot().sessions), ["c0", "c1", "c2"]);
    assert.equal(failing.getSnapshot().sessions[1].pinned, false);
  });
});

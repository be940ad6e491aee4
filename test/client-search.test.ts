/**
 * The search dialog's pure parts (lib/client/search.ts): chats by title, the options' order and
 * links, and highlight offsets cut into text parts whatever the server sends.
 * Run: npm test -- test/client-search.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { highlightParts, matchingChats, optionHref, searchOptions } from "@/lib/client/search";
import type { SidebarSession } from "@/lib/client/sessions";
import type { SearchResult } from "@/lib/contract/types";

const chat = (session_id: string, title: string): SidebarSession => ({
  session_id,
  title,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
  last_message_at: "2026-01-01T00:00:00.000Z",
  pinned: false,
});

const hit = (
  message_id: number,
  session_id: string,
  snippet: string,
  highlights: [number, number][],
): SearchResult => ({
  message_id,
  session_id,
  session_title: "A chat",
  role: "agent",
  agent: "writer",
  created_at: "2026-01-01T00:00:00.000Z",
  snippet,
  highlights,
});

describe("search: chats by title", () => {
  test("every word of the query, in any case and order; at most the limit", () => {
    const list = [
      chat("a", "Trip to Lisbon"),
      chat("b", "Lisbon budget"),
      chat("c", "Paris"),
      chat("d", "lisbon trip 2"),
    ];
    assert.deepEqual(
      matchingChats(list, "LISBON trip").map((s) => s.session_id),
      ["a", "d"],
    );
    assert.deepEqual(
      matchingChats(list, "lisbon", 2).map((s) => s.session_id),
      ["a", "b"],
    );
    assert.deepEqual(matchingChats(list, "  ...  "), []);
  });

  test("an untitled chat is found by the label it shows", () => {
    assert.deepEqual(
      matchingChats([chat("u", "")], "untitled").map((s) => s.session_id),
      ["u"],
    );
  });
});

describe("search: options", () => {
  test("chats first, then messages; each leads to its chat, a message with ?m=", () => {
    const options = searchOptions([chat("a b", "Trip")], [hit(7, "s/1", "x", [])]);
    assert.deepEqual(
      options.map((o) => o.key),
      ["c:a b", "m:7"],
    );
    assert.equal(optionHref(options[0]), "/c/a%20b");
    assert.equal(optionHref(options[1]), "/c/s%2F1?m=7");
  });
});

describe("search: highlights", () => {
  test("marks cut at [start, end) offsets, in order", () => {
    assert.deepEqual(
      highlightParts("gears and gear", [
        [10, 14],
        [0, 5],
      ]),
      [
        { text: "gears", mark: true },
        { text: " and ", mark: false },
        { text: "gear", mark: true },
      ],
    );
  });

  test("no highlights: the text as it is", () => {
    assert.deepEqual(highlightParts("plain", []), [{ text: "plain", mark: false }]);
    assert.deepEqual(highlightParts("", [[0, 3]]), []);
  });

  test("overlapping, empty, reversed and out-of-range offsets never break or repeat the text", () => {
    const text = "<b>bold</b> text";
    const parts = highlightParts(text, [
      [3, 7],
      [5, 9],
      [9, 9],
      [12, 4],
      [-5, 2],
      [14, 99],
    ]);
    assert.equal(parts.map((p) => p.text).join(""), text);
    assert.deepEqual(
      parts.filter((p) => p.mark).map((p) => p.text),
      ["<b", "bold", "</", "xt"],
    );
  });
});

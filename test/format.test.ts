/** The chat UI's display helpers for titles (lib/client/format.ts), on their own. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { displayTitle, sessionLabel } from "@/lib/client/format";

describe("title display", () => {
  test("shows a title stored with bidi controls without them, so it reads as stored", () => {
    // Stored before titles were cleaned on write: U+202E would render "invoice exe.png".
    assert.equal(displayTitle("invoice \u202Egnp.exe"), "invoice gnp.exe");
    assert.equal(displayTitle("\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069"), "");
    assert.equal(sessionLabel(" \u2067report\u2069 "), "report");
  });

  test("keeps right-to-left text and its marks", () => {
    assert.equal(displayTitle("\u200Fمرحبا\u200E 2"), "\u200Fمرحبا\u200E 2");
  });

  test("falls back to a placeholder when nothing is left to show", () => {
    assert.equal(sessionLabel("\u202E"), "Untitled chat");
    assert.equal(sessionLabel(null), "Untitled chat");
    assert.equal(displayTitle(undefined), "");
  });
});

/** The API's root segments are listed once (lib/contract/paths.ts); proxy.ts's literal matcher must agree. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MIRROR_ROOTS } from "@/lib/contract/paths";
import { config } from "@/proxy";

test("the page proxy (CSP nonce) skips exactly the API's roots and the bench routes", () => {
  const source = config.matcher[0].source;
  const skipped = /\(\?!\(\?:([a-z|]+)\)/.exec(source)?.[1].split("|");
  assert.deepEqual(skipped?.sort(), ["api", "bench", ...MIRROR_ROOTS].sort());
});

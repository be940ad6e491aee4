/**
 * docs/api.md and the API's TypeScript types are written from the contract module (npm run
 * docs:api): they must be exactly what the code says now, and every event, status and role of the
 * code must be in docs/api.md, and back.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { renderApiDoc } from "@/lib/contract/api-doc";
import { OPENAPI_TYPES_FILE, renderOpenApiTypes } from "@/lib/contract/client-types";
import { CONTROL_FRAMES, EVENT_NAMES } from "@/lib/contract/events";
import { MESSAGE_ROLES, RUN_STATUSES } from "@/lib/contract/schemas";

const doc = readFileSync("docs/api.md", "utf8");

test("docs/api.md is what the contract module writes (run `npm run docs:api` after changing lib/contract)", () => {
  assert.equal(doc, renderApiDoc());
});

test(`${OPENAPI_TYPES_FILE} is what openapi-typescript makes of the OpenAPI document (run \`npm run docs:api\`)`, async () => {
  assert.equal(readFileSync(OPENAPI_TYPES_FILE, "utf8"), await renderOpenApiTypes());
});

test("every event, frame, run status and message role of the code is documented, and nothing else", () => {
  const section = (heading: string) => {
    const start = doc.indexOf(`### ${heading}`);
    assert.ok(start >= 0, `docs/api.md has a "${heading}" section`);
    const end = doc.indexOf("\n#", start + 4);
    return doc.slice(start, end < 0 ? undefined : end);
  };
  const firstColumn = (text: string) => [...text.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(firstColumn(section("Events")).sort(), [...EVENT_NAMES].sort());
  assert.deepEqual(firstColumn(section("Frames that are not broadcasts")).sort(), Object.keys(CONTROL_FRAMES).sort());
  const enums = section("Enumerations");
  const listed = (label: string) =>
    [...(new RegExp(`${label}: (.*)\\.`).exec(enums)?.[1] ?? "").matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(listed("Run log `status`"))], [...RUN_STATUSES]);
  assert.deepEqual([...new Set(listed("Message `role`"))], [...MESSAGE_ROLES]);
});

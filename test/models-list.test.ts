/**
 * The admin agent form's model suggestions: the offline model always, then what the configured
 * OpenAI-compatible provider lists at `GET /v1/models` (cached; a failing provider lists none).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type OpenAIStub, STUB_MODELS, startOpenAIStub } from "./support/openai-stub";

let stub: OpenAIStub;
let availableModels: () => Promise<string[]>;
const forget = () => delete (globalThis as Record<symbol, unknown>)[Symbol.for("tandem.model-list")];

before(async () => {
  stub = await startOpenAIStub();
  // lib/env reads the environment once, at its first import.
  process.env.OPENAI_API_KEY = "sk-test";
  process.env.OPENAI_BASE_URL = stub.baseURL;
  process.env.LOG_LEVEL = "silent";
  ({ availableModels } = await import("@/lib/agents/models"));
});
after(() => stub.close());

test("lists the offline model, then the provider's models, asking the provider once per TTL", async () => {
  forget();
  assert.deepEqual(await availableModels(), ["offline", ...STUB_MODELS]);
  assert.deepEqual(await availableModels(), ["offline", ...STUB_MODELS]);
  const asked = stub.requests.filter((r) => r.path === "/v1/models");
  assert.equal(asked.length, 1, "the second call is served from the cache");
  assert.equal(asked[0].headers.authorization, "Bearer sk-test");
});

test("a provider that cannot list its models leaves the offline model", async () => {
  forget();
  await stub.close();
  assert.deepEqual(await availableModels(), ["offline"]);
});

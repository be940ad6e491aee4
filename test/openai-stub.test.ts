/**
 * Tests for test/support/openai-stub.ts, driven through the real AI SDK
 * (`ai` v7 + `@ai-sdk/openai` v4 chat model) and through raw fetch.
 *
 * Run: node --import tsx --test test/openai-stub.test.ts
 */

import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { createOpenAI } from "@ai-sdk/openai";
import {
  APICallError,
  generateText,
  isStepCount,
  JSONParseError,
  NoOutputGeneratedError,
  RetryError,
  streamText,
  tool,
} from "ai";
import { z } from "zod";
import { type OpenAIStub, type StubBehavior, startOpenAIStub, toolMessages } from "./support/openai-stub";

let stub: OpenAIStub | undefined;

async function start(behaviors?: StubBehavior[]) {
  stub = await startOpenAIStub(behaviors);
  const model = createOpenAI({ baseURL: stub.baseURL, apiKey: "sk-local" }).chat("stub-model");
  return { stub, model };
}

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** POST a chat-completions body directly (no SDK). */
function post(s: OpenAIStub, body: unknown, path = "/chat/completions") {
  return fetch(`${s.baseURL}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-local" },
    body: JSON.stringify(body),
  });
}

/** Parse an SSE body into its `data:` payloads. */
function sseData(text: string): string[] {
  return text
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));
}

const userMsg = (text: string) => ({ model: "m", messages: [{ role: "user", content: text }] });

describe("openai stub through the AI SDK", () => {
  test("streamText streams the text in chunks and reports the stub's usage", async () => {
    const { stub, model } = await start([
      {
        kind: "reply",
        reply: { text: "Hello from the stub!", usage: { prompt_tokens: 11, completion_tokens: 7 } },
        chunks: 4,
        chunkDelayMs: 25,
      },
    ]);
    const errors: unknown[] = [];
    const t0 = Date.now();
    const result = streamText({ model, prompt: "hello there", onError: ({ error }) => void errors.push(error) });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    const elapsed = Date.now() - t0;

    assert.deepEqual(errors, []);
    assert.equal(deltas.join(""), "Hello from the stub!");
    assert.equal(deltas.length, 4);
    assert.ok(elapsed >= 3 * 25 - 5, `chunkDelayMs honoured (took ${elapsed}ms)`);
    assert.equal(await result.text, "Hello from the stub!");
    assert.equal(await result.finishReason, "stop");

    const usage = await result.totalUsage;
    assert.equal(usage.inputTokens, 11);
    assert.equal(usage.outputTokens, 7);
    assert.equal(usage.totalTokens, 18);
    assert.deepEqual((await result.usage).inputTokens, 11);

    assert.equal(stub.requests.length, 1);
    const [req] = stub.requests;
    assert.equal(req.path, "/v1/chat/completions");
    assert.equal(req.headers.authorization, "Bearer sk-local");
    assert.equal(req.body.model, "stub-model");
    assert.equal(req.body.stream, true);
    assert.equal(req.body.stream_options?.include_usage, true);
    assert.deepEqual(req.body.messages, [{ role: "user", content: "hello there" }]);
  });

  test("an empty queue echoes the last user text", async () => {
    const { model } = await start();
    const result = streamText({ model, prompt: "ping 42" });
    assert.equal(await result.text, "stub: ping 42");
    const usage = await result.totalUsage;
    assert.ok((usage.inputTokens ?? 0) > 0 && (usage.outputTokens ?? 0) > 0);
  });

  test("generateText (non-streaming) gets a chat.completion with usage", async () => {
    const { stub, model } = await start([
      { kind: "reply", reply: { text: "plain json", usage: { prompt_tokens: 3, completion_tokens: 2 } } },
    ]);
    const result = await generateText({ model, prompt: "x" });
    assert.equal(result.text, "plain json");
    assert.equal(result.totalUsage.inputTokens, 3);
    assert.equal(result.totalUsage.outputTokens, 2);
    assert.equal(result.totalUsage.totalTokens, 5);
    assert.notEqual(stub.requests[0].body.stream, true);
  });

  test("tool call round-trip over 2 requests (streamText + stopWhen: isStepCount(3))", async () => {
    const { stub, model } = await start([
      {
        kind: "reply",
        reply: (req) => {
          const results = toolMessages(req.body);
          if (results.length > 0) return { text: `The weather tool said: ${results[0].content}` };
          return { toolCalls: [{ name: "weather", arguments: { city: "Paris" } }] };
        },
      },
    ]);
    const calls: unknown[] = [];
    const errors: unknown[] = [];
    const result = streamText({
      model,
      prompt: "What's the weather in Paris?",
      tools: {
        weather: tool({
          description: "Get the weather for a city",
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            calls.push(city);
            return { city, tempC: 21 };
          },
        }),
      },
      stopWhen: isStepCount(3),
      onError: ({ error }) => void errors.push(error),
    });
    const text = await result.text;

    assert.deepEqual(errors, []);
    assert.deepEqual(calls, ["Paris"]);
    assert.equal(text, 'The weather tool said: {"city":"Paris","tempC":21}');
    const steps = await result.steps;
    assert.equal(steps.length, 2);
    assert.equal(steps[0].finishReason, "tool-calls");
    assert.deepEqual(
      steps[0].content.map((p) => p.type),
      ["tool-call", "tool-result"],
      "no empty text part in the tool step",
    );
    assert.equal(steps[1].finishReason, "stop");

    assert.equal(stub.requests.length, 2);
    const first = stub.requests[0].body;
    assert.equal(first.tools?.[0]?.function?.name, "weather");
    const second = stub.requests[1].body;
    const assistant = second.messages.find((m: any) => m.role === "assistant");
    assert.equal(assistant.tool_calls[0].id, "call_1");
    assert.equal(assistant.tool_calls[0].function.name, "weather");
    assert.deepEqual(JSON.parse(assistant.tool_calls[0].function.arguments), { city: "Paris" });
    const toolMsg = second.messages.find((m: any) => m.role === "tool");
    assert.equal(toolMsg.tool_call_id, "call_1");

    const usage = await result.totalUsage;
    assert.ok((usage.inputTokens ?? 0) > 0, "multi-step usage is summed");
  });

  test("429 once then success succeeds with maxRetries: 2", async () => {
    const { stub, model } = await start([
      { kind: "status", status: 429, times: 1, retryAfter: "0" },
      { kind: "reply", reply: { text: "after retry" } },
    ]);
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: "x", maxRetries: 2, onError: ({ error }) => void errors.push(error) });
    assert.equal(await result.text, "after retry");
    assert.deepEqual(errors, [], "a retried error is not reported to onError");
    assert.equal(stub.requests.length, 2);
  });

  test("a permanent 500 surfaces an APICallError via onError; result promises reject", async () => {
    const { stub, model } = await start([{ kind: "status", status: 500 }]);
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: "x", maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    const parts: string[] = [];
    for await (const part of result.fullStream) parts.push(part.type);

    assert.ok(parts.includes("error"), `fullStream has an error part (${parts.join(",")})`);
    assert.equal(errors.length, 1);
    const err = errors[0];
    assert.ok(APICallError.isInstance(err), "onError gets an APICallError");
    assert.equal(err.statusCode, 500);
    assert.equal(err.isRetryable, true);
    assert.equal(err.message, "stub: HTTP 500");
    await assert.rejects(Promise.resolve(result.text), (e: unknown) => NoOutputGeneratedError.isInstance(e));
    await assert.rejects(Promise.resolve(result.totalUsage), (e: unknown) => NoOutputGeneratedError.isInstance(e));
    assert.equal(stub.requests.length, 1);
  });

  test("a permanent 500 with retries ends in a RetryError wrapping the APICallError", async () => {
    const { stub, model } = await start([{ kind: "status", status: 500, retryAfter: "0" }]);
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: "x", maxRetries: 2, onError: ({ error }) => void errors.push(error) });
    await assert.rejects(Promise.resolve(result.text), (e: unknown) => NoOutputGeneratedError.isInstance(e));
    assert.equal(errors.length, 1);
    const err = errors[0];
    assert.ok(RetryError.isInstance(err));
    assert.equal(err.reason, "maxRetriesExceeded");
    assert.ok(APICallError.isInstance(err.lastError));
    assert.equal(err.lastError.statusCode, 500);
    assert.equal(stub.requests.length, 3);
  });

  test("a 400 is not retried", async () => {
    const { stub, model } = await start([{ kind: "status", status: 400 }]);
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: "x", maxRetries: 2, onError: ({ error }) => void errors.push(error) });
    await assert.rejects(Promise.resolve(result.text));
    assert.ok(APICallError.isInstance(errors[0]) && errors[0].statusCode === 400 && !errors[0].isRetryable);
    assert.equal(stub.requests.length, 1);
  });

  test("garbage SSE fails: onError gets a JSONParseError and the step finishes with 'error'", async () => {
    const { model } = await start([{ kind: "garbage" }]);
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: "x", onError: ({ error }) => void errors.push(error) });
    const parts: string[] = [];
    for await (const part of result.fullStream) parts.push(part.type);
    assert.ok(parts.includes("error"));
    assert.equal(errors.length, 1);
    assert.ok(JSONParseError.isInstance(errors[0]));
    assert.equal(await result.finishReason, "error");
    assert.equal(await result.text, "");
  });

  test("hang is aborted by an AbortSignal timeout", async () => {
    const { stub, model } = await start([{ kind: "hang" }]);
    const errors: unknown[] = [];
    let abortEvents = 0;
    const t0 = Date.now();
    const result = streamText({
      model,
      prompt: "x",
      abortSignal: AbortSignal.timeout(200),
      onError: ({ error }) => void errors.push(error),
      onAbort: () => void abortEvents++,
    });
    const parts: Array<{ type: string; reason?: unknown }> = [];
    for await (const part of result.fullStream) parts.push(part);
    const elapsed = Date.now() - t0;

    assert.ok(elapsed >= 150 && elapsed < 3000, `aborted after ~200ms (took ${elapsed}ms)`);
    const abort = parts.find((p) => p.type === "abort");
    assert.ok(abort, `fullStream has an abort part (${parts.map((p) => p.type).join(",")})`);
    assert.deepEqual(errors, [], "abort is not reported to onError");
    assert.equal(abortEvents, 1);
    await assert.rejects(Promise.resolve(result.text), (e: unknown) => e instanceof Error && e.name === "TimeoutError");
    assert.equal(stub.requests.length, 1);
  });

  test("drop-mid-stream: partial text, then the stream throws an APICallError", async () => {
    const { model } = await start([{ kind: "drop-mid-stream", afterChunks: 2, text: "abcdefghi" }]);
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: "x", maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    let text = "";
    await assert.rejects(
      (async () => {
        for await (const delta of result.textStream) text += delta;
      })(),
      (e: unknown) => APICallError.isInstance(e) && e.isRetryable === true,
    );
    assert.equal(text, "abcdef");
    await assert.rejects(Promise.resolve(result.text), (e: unknown) => APICallError.isInstance(e));
  });

  test("close() does not hang with a hanging request open; the client sees a connection error", async () => {
    const { stub, model } = await start([{ kind: "hang" }]);
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: "x", maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    const consumed = (async () => {
      for await (const _ of result.textStream);
    })();
    while (stub.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    await stub.close();
    assert.ok(Date.now() - t0 < 1000);
    await consumed;
    assert.equal(errors.length, 1);
    assert.ok(APICallError.isInstance(errors[0]));
  });

  test("the default provider model (Responses API) gets a 404 from the stub", async () => {
    const { stub } = await start([{ kind: "reply", reply: { text: "never" } }]);
    const errors: unknown[] = [];
    const model = createOpenAI({ baseURL: stub.baseURL, apiKey: "sk-local" })("stub-model");
    const result = streamText({ model, prompt: "x", onError: ({ error }) => void errors.push(error) });
    await assert.rejects(Promise.resolve(result.text));
    assert.ok(APICallError.isInstance(errors[0]) && errors[0].statusCode === 404);
    assert.equal(stub.requests[0].path, "/v1/responses");
  });
});

describe("openai stub protocol and queue (raw fetch)", () => {
  test("SSE frames: role chunk, content chunks, finish, usage (only with include_usage), [DONE]", async () => {
    const { stub } = await start([
      { kind: "reply", reply: { text: "abcdefgh", usage: { prompt_tokens: 5, completion_tokens: 2 } }, chunks: 2 },
    ]);
    const res = await post(stub, { ...userMsg("hi"), stream: true, stream_options: { include_usage: true } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const data = sseData(await res.text());
    assert.equal(data.at(-1), "[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    assert.ok(chunks.every((c) => c.object === "chat.completion.chunk"));
    assert.deepEqual(chunks[0].choices[0].delta, { role: "assistant", content: "" });
    assert.deepEqual(
      chunks.slice(1, 3).map((c) => c.choices[0].delta.content),
      ["abcd", "efgh"],
    );
    assert.equal(chunks[3].choices[0].finish_reason, "stop");
    assert.deepEqual(chunks[4].choices, []);
    assert.deepEqual(chunks[4].usage, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });

    const res2 = await post(stub, { ...userMsg("hi"), stream: true });
    const data2 = sseData(await res2.text());
    assert.ok(
      data2.slice(0, -1).every((d) => JSON.parse(d).usage === undefined),
      "no usage chunk without include_usage",
    );
  });

  test("SSE tool call deltas and non-streaming tool calls", async () => {
    const { stub } = await start([
      {
        kind: "reply",
        reply: {
          toolCalls: [
            { name: "lookup", arguments: { q: "x" } },
            { name: "other", arguments: {} },
          ],
        },
      },
    ]);
    const res = await post(stub, { ...userMsg("hi"), stream: true });
    const chunks = sseData(await res.text())
      .slice(0, -1)
      .map((d) => JSON.parse(d));
    const tc = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    assert.deepEqual(tc[0], { index: 0, id: "call_1", type: "function", function: { name: "lookup", arguments: "" } });
    const args0 = tc
      .filter((t) => t.index === 0)
      .map((t) => t.function.arguments)
      .join("");
    assert.deepEqual(JSON.parse(args0), { q: "x" });
    assert.equal(tc.find((t) => t.index === 1 && t.id).id, "call_2");
    assert.equal(chunks.at(-1).choices[0].finish_reason, "tool_calls");

    const json = await (await post(stub, userMsg("hi"))).json();
    assert.equal(json.object, "chat.completion");
    assert.equal(json.choices[0].finish_reason, "tool_calls");
    assert.equal(json.choices[0].message.content, null);
    assert.equal(json.choices[0].message.tool_calls[0].id, "call_3");
    assert.deepEqual(JSON.parse(json.choices[0].message.tool_calls[0].function.arguments), { q: "x" });
    assert.ok(json.usage.total_tokens > 0);
  });

  test("error statuses answer OpenAI-style JSON; 429 carries retry-after", async () => {
    const { stub } = await start([
      { kind: "status", status: 429, times: 1, retryAfter: "3" },
      { kind: "status", status: 503, times: 1, body: { error: { message: "custom", type: "x", code: 1 } } },
    ]);
    const r1 = await post(stub, userMsg("a"));
    assert.equal(r1.status, 429);
    assert.equal(r1.headers.get("retry-after"), "3");
    const b1 = await r1.json();
    assert.equal(typeof b1.error.message, "string");
    assert.equal(b1.error.type, "rate_limit_error");
    assert.equal(b1.error.code, "rate_limit_exceeded");
    const r2 = await post(stub, userMsg("a"));
    assert.equal(r2.status, 503);
    assert.deepEqual(await r2.json(), { error: { message: "custom", type: "x", code: 1 } });
    const r3 = await post(stub, userMsg("a"));
    assert.equal(r3.status, 200, "falls through to the default reply");
    assert.equal((await r3.json()).choices[0].message.content, "stub: a");
  });

  test("queue: status times n, reply consumed once when followed, last reply sticky", async () => {
    const { stub } = await start([
      { kind: "status", status: 500, times: 2 },
      { kind: "reply", reply: { text: "one" } },
      { kind: "reply", reply: (req) => ({ text: `sticky #${stub.requests.length} ${req.body.messages[0].content}` }) },
    ]);
    const statuses: number[] = [];
    const texts: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(stub, userMsg(`m${i}`));
      statuses.push(res.status);
      const body = await res.json();
      if (res.ok) texts.push(body.choices[0].message.content);
    }
    assert.deepEqual(statuses, [500, 500, 200, 200, 200]);
    assert.deepEqual(texts, ["one", "sticky #4 m3", "sticky #5 m4"]);

    stub.setBehaviors([{ kind: "status", status: 418 }]);
    assert.equal((await post(stub, userMsg("z"))).status, 418);
    assert.equal((await post(stub, userMsg("z"))).status, 418, "status without times is permanent");
  });

  test("unknown paths get a 404 JSON and do not consume behaviors", async () => {
    const { stub } = await start([{ kind: "status", status: 500, times: 1 }]);
    const res = await post(stub, { input: "x" }, "/responses");
    assert.equal(res.status, 404);
    assert.equal(typeof (await res.json()).error.message, "string");
    const get = await fetch(`${stub.baseURL}/embeddings`);
    assert.equal(get.status, 404);
    await get.text();
    assert.equal((await post(stub, userMsg("a"))).status, 500);
    assert.equal((await post(stub, userMsg("a"))).status, 200);
    assert.deepEqual(
      stub.requests.map((r) => r.path),
      ["/v1/responses", "/v1/embeddings", "/v1/chat/completions", "/v1/chat/completions"],
    );
  });

  test("a throwing reply function answers 500", async () => {
    const { stub } = await start([
      {
        kind: "reply",
        reply: () => {
          throw new Error("boom");
        },
      },
    ]);
    const res = await post(stub, userMsg("a"));
    assert.equal(res.status, 500);
    assert.match((await res.json()).error.message, /boom/);
  });

  test("a client abort mid-stream is handled and the stub keeps serving", async () => {
    const { stub } = await start([
      { kind: "reply", reply: { text: "slow slow slow slow" }, chunks: 4, chunkDelayMs: 100 },
    ]);
    const ac = new AbortController();
    const res = await fetch(`${stub.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...userMsg("a"), stream: true }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await assert.rejects(reader.read());
    await new Promise((r) => setTimeout(r, 150));
    const ok = await post(stub, userMsg("b"));
    assert.equal(ok.status, 200);
    await ok.text();
  });
});

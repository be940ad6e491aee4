/**
 * An agent's step loop (lib/agents/steps.ts) against a scripted model: text streaming, tools run
 * and their results read by the next call, calls the SDK cannot match, the stop tool, the step
 * limit, retries of a refused call, and failures.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { APICallError, type ToolSet, tool } from "ai";
import { z } from "zod";
import { type StepPart, streamSteps } from "@/lib/agents/steps";

type Reply = LanguageModelV4StreamPart[] | Error;

/** A model that answers each call with the next scripted reply, and keeps every call's prompt. */
function scriptedModel(replies: Reply[]) {
  const calls: LanguageModelV4CallOptions[] = [];
  const model: LanguageModelV4 = {
    specificationVersion: "v4",
    provider: "test",
    modelId: "scripted",
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error("not used")),
    async doStream(options) {
      calls.push(options);
      const reply = replies.shift();
      if (!reply) throw new Error("no reply scripted");
      if (reply instanceof Error) throw reply;
      return {
        stream: new ReadableStream({
          start(controller) {
            for (const part of reply) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  };
  return { model, calls };
}

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const finish = (reason: "stop" | "tool-calls", input = 10, output = 5): LanguageModelV4StreamPart => ({
  type: "finish",
  finishReason: { unified: reason, raw: reason },
  usage: usage(input, output),
});
const text = (...deltas: string[]): LanguageModelV4StreamPart[] => [
  { type: "text-start", id: "t" },
  ...deltas.map((delta) => ({ type: "text-delta" as const, id: "t", delta })),
  { type: "text-end", id: "t" },
];
const call = (toolCallId: string, toolName: string, input: unknown): LanguageModelV4StreamPart => ({
  type: "tool-call",
  toolCallId,
  toolName,
  input: JSON.stringify(input),
});

const add = (runs: unknown[] = []) =>
  tool({
    description: "Adds two numbers.",
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    execute: async ({ a, b }, { toolCallId }) => {
      runs.push(toolCallId);
      return { sum: a + b };
    },
  });

/** A tool whose every call fails, as a store failure does. */
const failing: ToolSet = {
  add: tool({
    inputSchema: z.object({}),
    execute: async (): Promise<{ ok: boolean }> => {
      throw new Error("disk full");
    },
  }),
};

async function collect(options: Parameters<typeof streamSteps>[0]) {
  const parts: StepPart[] = [];
  for await (const part of streamSteps(options)) parts.push(part);
  return parts;
}

const base = { instructions: "You help.", messages: [{ role: "user" as const, content: "1+2?" }], maxRetries: 0 };
const signal = () => new AbortController().signal;
/** The parts of the prompt's message `fromEnd` places from its end (1: the last one). */
function partsOf(options: LanguageModelV4CallOptions, fromEnd: number) {
  const { content } = options.prompt[options.prompt.length - fromEnd];
  assert.ok(Array.isArray(content), "a message of parts");
  return content as Exclude<typeof content, string>;
}

describe("an agent's steps", () => {
  test("streams the text and sums the usage of every call", async () => {
    const { model, calls } = scriptedModel([[...text("Hel", "lo"), finish("stop", 7, 2)]]);
    const parts = await collect({ ...base, model, maxSteps: 5, signal: signal() });
    assert.deepEqual(parts, [
      { type: "text-delta", text: "Hel" },
      { type: "text-delta", text: "lo" },
      { type: "finish-step" },
      { type: "finish", usage: { inputTokens: 7, outputTokens: 2 } },
    ]);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].prompt[0], { role: "system", content: "You help." });
  });

  test("runs the called tools and gives their results to the next call", async () => {
    const runs: unknown[] = [];
    const { model, calls } = scriptedModel([
      [
        { type: "reasoning-start", id: "r" },
        { type: "reasoning-delta", id: "r", delta: "Two sums." },
        { type: "reasoning-end", id: "r" },
        ...text("Let me add."),
        call("c1", "add", { a: 1, b: 2 }),
        call("c2", "add", { a: 3, b: 4 }),
        finish("tool-calls"),
      ],
      [...text("3 and 7."), finish("stop", 20, 3)],
    ]);
    const parts = await collect({ ...base, model, tools: { add: add(runs) }, maxSteps: 5, signal: signal() });
    assert.deepEqual(runs, ["c1", "c2"]);
    assert.equal(calls.length, 2);
    assert.deepEqual(
      partsOf(calls[1], 2).map((p) => (p.type === "tool-call" ? [p.type, p.toolCallId, p.input] : [p.type])),
      [["reasoning"], ["text"], ["tool-call", "c1", { a: 1, b: 2 }], ["tool-call", "c2", { a: 3, b: 4 }]],
      "the assistant's step: its reasoning, its text, then its calls",
    );
    assert.deepEqual(
      partsOf(calls[1], 1).map((p) => (p.type === "tool-result" ? [p.toolCallId, p.output] : p.type)),
      [
        ["c1", { type: "json", value: { sum: 3 } }],
        ["c2", { type: "json", value: { sum: 7 } }],
      ],
    );
    assert.equal(parts.filter((p) => p.type === "finish-step").length, 2);
    assert.deepEqual(parts.at(-1), { type: "finish", usage: { inputTokens: 30, outputTokens: 8 } });
  });

  test("a call the SDK cannot match to a tool is not run: the model reads why", async () => {
    const { model, calls } = scriptedModel([
      [call("c1", "multiply", { a: 1 }), finish("tool-calls")],
      [...text("Sorry."), finish("stop")],
    ]);
    await collect({ ...base, model, tools: { add: add() }, maxSteps: 5, signal: signal() });
    const [result] = partsOf(calls[1], 1);
    assert.equal(result.type, "tool-result");
    assert.equal(result.type === "tool-result" && result.output.type, "error-text");
    assert.match(JSON.stringify(result), /multiply/);
  });

  test("input that fails the tool's schema is not run either", async () => {
    const runs: unknown[] = [];
    const { model, calls } = scriptedModel([
      [call("c1", "add", { a: "one" }), finish("tool-calls")],
      [...text("Sorry."), finish("stop")],
    ]);
    await collect({ ...base, model, tools: { add: add(runs) }, maxSteps: 5, signal: signal() });
    assert.deepEqual(runs, []);
    const [result] = partsOf(calls[1], 1);
    assert.equal(result.type === "tool-result" && result.output.type, "error-text");
  });

  test("the stop tool ends the steps once called, and the step limit ends them too", async () => {
    const stopped = scriptedModel([[call("c1", "add", { a: 1, b: 1 }), finish("tool-calls")], [...text("never")]]);
    await collect({
      ...base,
      model: stopped.model,
      tools: { add: add() },
      stopOn: "add",
      maxSteps: 5,
      signal: signal(),
    });
    assert.equal(stopped.calls.length, 1);

    const looping = scriptedModel(
      [1, 2, 3].map((i) => [call(`c${i}`, "add", { a: i, b: i }), finish("tool-calls")] as LanguageModelV4StreamPart[]),
    );
    const parts = await collect({
      ...base,
      model: looping.model,
      tools: { add: add() },
      maxSteps: 2,
      signal: signal(),
    });
    assert.equal(looping.calls.length, 2);
    assert.equal(parts.filter((p) => p.type === "finish-step").length, 2);
  });

  test("a refused call is retried when the provider says it may be, and the last error is kept", async () => {
    const refusal = (status: number) =>
      new APICallError({
        message: `HTTP ${status}`,
        url: "http://model",
        requestBodyValues: {},
        statusCode: status,
        responseHeaders: { "retry-after-ms": "0" },
        isRetryable: status === 429 || status >= 500,
      });
    const retried = scriptedModel([refusal(429), [...text("ok"), finish("stop")]]);
    const parts = await collect({ ...base, model: retried.model, maxRetries: 2, maxSteps: 5, signal: signal() });
    assert.equal(retried.calls.length, 2);
    assert.deepEqual(parts[0], { type: "text-delta", text: "ok" });

    const exhausted = scriptedModel([refusal(500), refusal(500), refusal(500)]);
    await assert.rejects(
      collect({ ...base, model: exhausted.model, maxRetries: 1, maxSteps: 5, signal: signal() }),
      (e) => {
        assert.equal((e as Error).name, "AI_RetryError");
        assert.equal(((e as { lastError: APICallError }).lastError as APICallError).statusCode, 500);
        return true;
      },
    );
    assert.equal(exhausted.calls.length, 2, "one retry");

    const refused = scriptedModel([refusal(401)]);
    await assert.rejects(
      collect({ ...base, model: refused.model, maxRetries: 2, maxSteps: 5, signal: signal() }),
      /HTTP 401/,
    );
    assert.equal(refused.calls.length, 1, "not retried");
  });

  test("a tool that throws, or an error in the model's stream, ends the steps with that error", async () => {
    const tooled = scriptedModel([[call("c1", "add", {}), finish("tool-calls")], [...text("never")]]);
    await assert.rejects(
      collect({ ...base, model: tooled.model, tools: failing, maxSteps: 5, signal: signal() }),
      /disk full/,
    );
    assert.equal(tooled.calls.length, 1);

    const broken = scriptedModel([[...text("half"), { type: "error", error: new Error("connection reset") }]]);
    await assert.rejects(collect({ ...base, model: broken.model, maxSteps: 5, signal: signal() }), /connection reset/);
  });

  test("a tool that fails while the model still streams is an error of the steps, not of the process", async () => {
    const unhandled: unknown[] = [];
    const listener = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", listener);
    try {
      // The model goes on streaming for a while after the call: the tool's failure comes first.
      const model: LanguageModelV4 = {
        ...scriptedModel([]).model,
        async doStream() {
          const parts = [call("c1", "add", {}), ...text("still", " writing"), finish("tool-calls")];
          return {
            stream: new ReadableStream({
              async pull(controller) {
                const part = parts.shift();
                if (!part) return controller.close();
                await new Promise((r) => setTimeout(r, 5));
                controller.enqueue(part);
              },
            }),
          };
        },
      };
      await assert.rejects(collect({ ...base, model, tools: failing, maxSteps: 5, signal: signal() }), /disk full/);
      await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", listener);
    }
  });

  test("a stopped turn ends with the stop's reason", async () => {
    const controller = new AbortController();
    const { model } = scriptedModel([[...text("a", "b"), finish("stop")]]);
    const reason = new Error("the user stopped the run");
    await assert.rejects(
      (async () => {
        for await (const part of streamSteps({ ...base, model, maxSteps: 5, signal: controller.signal })) {
          if (part.type === "text-delta") controller.abort(reason);
        }
      })(),
      (e) => e === reason,
    );
  });
});

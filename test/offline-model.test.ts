/**
 * Tests for lib/agents/offline-model.ts, driven through the real AI SDK (ai v7) and
 * through the raw LanguageModelV4 interface.
 *
 * Run: node --import tsx --test test/offline-model.test.ts
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LanguageModelV4CallOptions, LanguageModelV4Prompt, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { generateText, isStepCount, type ModelMessage, streamText, type ToolSet, tool } from "ai";
import { z } from "zod";
import { chunkText, createOfflineModel } from "@/lib/agents/offline-model";
import { builtinTools, type ToolContext } from "@/lib/agents/tools/index";

const RESEARCHER_SYSTEM =
  "You are researcher, the Research Analyst on team Tandem. Dig into the user's request and write concise research notes for your colleague.";
const WRITER_SYSTEM =
  "You are writer, the Writer on team Tandem. Compose the final answer for the user from your colleague's notes.";

const fixedClock = new Date("2026-12-01T13:05:09.000Z");
const ctx: ToolContext = {
  async searchMessages(query) {
    return [
      {
        id: 1,
        role: "user",
        agent: null,
        content: `Earlier I said my favourite colour is teal (${query})`,
        created_at: "2026-11-30T10:00:00.000Z",
      },
    ];
  },
  now: () => fixedClock,
};

/** The built-in tools wrapped as AI SDK tools, as the engine will do. Records executions. */
function builtinToolSet(log: Array<{ name: string; input: unknown }> = []): ToolSet {
  const set: ToolSet = {};
  for (const t of builtinTools.values()) {
    set[t.name] = tool({
      description: t.description,
      inputSchema: t.inputSchema,
      execute: async (input: unknown) => {
        log.push({ name: t.name, input });
        return t.execute(input, ctx);
      },
    });
  }
  return set;
}

function colleague(notes: string, agent = "researcher", role = "Research Analyst"): ModelMessage {
  return { role: "user", content: `${agent} (${role}) wrote:\n${notes}`, providerOptions: { tandem: { agent, role } } };
}

async function researcherRun(request: string, opts: { tools?: ToolSet; history?: ModelMessage[] } = {}) {
  const executed: Array<{ name: string; input: unknown }> = [];
  const tools = opts.tools ?? builtinToolSet(executed);
  const result = streamText({
    model: createOfflineModel(),
    system: RESEARCHER_SYSTEM,
    messages: [...(opts.history ?? []), { role: "user", content: request }],
    tools,
    stopWhen: isStepCount(4),
  });
  let deltas = "";
  for await (const d of result.textStream) deltas += d;
  return {
    deltas,
    text: await result.text,
    steps: await result.steps,
    usage: await result.totalUsage,
    finishReason: await result.finishReason,
    executed,
  };
}

async function collect(stream: ReadableStream<LanguageModelV4StreamPart>): Promise<LanguageModelV4StreamPart[]> {
  const parts: LanguageModelV4StreamPart[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return parts;
    parts.push(value);
  }
}

function userPrompt(text: string, extra: LanguageModelV4Prompt = []): LanguageModelV4Prompt {
  return [
    { role: "system", content: RESEARCHER_SYSTEM },
    { role: "user", content: [{ type: "text", text }] },
    ...extra,
  ];
}

const calculatorToolDef: NonNullable<LanguageModelV4CallOptions["tools"]>[number] = {
  type: "function",
  name: "calculator",
  inputSchema: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
};
const timeToolDef: NonNullable<LanguageModelV4CallOptions["tools"]>[number] = {
  type: "function",
  name: "current_time",
  inputSchema: { type: "object", properties: { timezone: { type: "string" } } },
};

describe("offline model: shape", () => {
  test("implements LanguageModelV4", () => {
    const m = createOfflineModel({ modelId: "offline-test" });
    assert.equal(m.specificationVersion, "v4");
    assert.equal(m.modelId, "offline-test");
    assert.equal(typeof m.provider, "string");
    assert.deepEqual(m.supportedUrls, {});
    assert.equal(createOfflineModel().modelId, "tandem-offline");
  });

  test("chunkText splits into word-sized chunks that concatenate to the input", () => {
    const text = "## Title\n\nHello   world, this is  a test.\n- item";
    const chunks = chunkText(text);
    assert.equal(chunks.join(""), text);
    assert.ok(chunks.length >= 8);
    assert.ok(chunks.every((c) => c.length > 0 && c.trim().split(/\s+/).length <= 1));
    assert.deepEqual(chunkText(""), []);
  });
});

describe("offline model: researcher via streamText", () => {
  test("'What is 12 * (3 + 4)?' calls the calculator, then writes notes with 84", async () => {
    const r = await researcherRun("What is 12 * (3 + 4)?");
    assert.equal(r.steps.length, 2);
    assert.equal(r.steps[0].finishReason, "tool-calls");
    assert.equal(r.steps[0].toolCalls.length, 1);
    assert.equal(r.steps[0].toolCalls[0].toolName, "calculator");
    assert.deepEqual(r.steps[0].toolCalls[0].input, { expression: "12 * (3 + 4)" });
    assert.deepEqual(r.executed, [{ name: "calculator", input: { expression: "12 * (3 + 4)" } }]);
    assert.deepEqual((r.steps[0].toolResults[0] as any).output, { expression: "12 * (3 + 4)", result: 84 });
    assert.equal(r.finishReason, "stop");
    assert.match(r.text, /Calculator: 12 \* \(3 \+ 4\) = 84/);
    assert.match(r.text, /^## Research notes/);
    assert.match(r.text, /\*\*Question:\*\* What is 12 \* \(3 \+ 4\)\?/);
    assert.match(r.text, /\*\*Question type:\*\* calculation/);
  });

  test("text deltas concatenate to the final text, and usage is reported", async () => {
    const r = await researcherRun("What is 12 * (3 + 4)?");
    assert.equal(r.deltas, r.text);
    assert.ok(r.steps[1].content.filter((c) => c.type === "text").length === 1);
    assert.ok((r.usage.inputTokens ?? 0) > 0, "input tokens reported");
    assert.ok((r.usage.outputTokens ?? 0) > 0, "output tokens reported");
    assert.equal(r.usage.totalTokens, (r.usage.inputTokens ?? 0) + (r.usage.outputTokens ?? 0));
    const step2 = r.steps[1].usage;
    assert.equal(step2.outputTokens, Math.ceil(r.text.length / 4));
  });

  test("text is streamed in many small chunks", async () => {
    const result = streamText({
      model: createOfflineModel(),
      system: RESEARCHER_SYSTEM,
      messages: [{ role: "user", content: "How does photosynthesis work in plants?" }],
    });
    const chunks: string[] = [];
    for await (const d of result.textStream) chunks.push(d);
    assert.ok(chunks.length > 20, `expected many chunks, got ${chunks.length}`);
    assert.ok(chunks.every((c) => c.length < 60));
    const text = await result.text;
    assert.equal(chunks.join(""), text);
    assert.match(text, /\*\*Question type:\*\* how it works \/ explanation \(photosynthesis in plants\)/);
    assert.match(text, /\*\*Key terms:\*\* photosynthesis, plants/);
    assert.ok(text.length > 200 && text.length < 2000, `length ${text.length}`);
  });

  test("date/time question calls current_time with the named zone", async () => {
    const r = await researcherRun("What time is it in Tokyo right now?");
    assert.equal(r.steps.length, 2);
    assert.deepEqual(r.executed, [{ name: "current_time", input: { timezone: "Asia/Tokyo" } }]);
    assert.match(r.text, /Current time \(Asia\/Tokyo\): Tuesday, December 1, 2026 at 22:05:09/);
  });

  test("date/time question without a zone calls current_time with no timezone (UTC)", async () => {
    const r = await researcherRun("what's the date today?");
    assert.deepEqual(r.executed, [{ name: "current_time", input: {} }]);
    assert.match(r.text, /Current time \(UTC\): Tuesday, December 1, 2026/);
  });

  test("arithmetic + time in one request: two calls in one step", async () => {
    const r = await researcherRun("What time is it, and what is 2^10?");
    assert.equal(r.steps.length, 2);
    assert.deepEqual(
      r.steps[0].toolCalls.map((c) => c.toolName),
      ["calculator", "current_time"],
    );
    assert.match(r.text, /Calculator: 2\^10 = 1024/);
    assert.match(r.text, /Current time \(UTC\):/);
  });

  test("a failing tool is reported in the notes", async () => {
    const r = await researcherRun("What is 5 / 0?");
    assert.equal(r.steps.length, 2);
    assert.match(r.text, /Calculator failed for `5 \/ 0`: Division by zero/);
  });

  test("referring to earlier messages calls session_search", async () => {
    const r = await researcherRun("What did I say earlier about my favourite colour?");
    assert.equal(r.executed[0].name, "session_search");
    assert.match(String((r.executed[0].input as any).query), /favourite colour/);
    assert.match(r.text, /Session search for "[^"]+": 1 earlier message\(s\) matched/);
    assert.match(r.text, /teal/);
  });

  test("no tool call when the needed tool is not offered", async () => {
    const r = await researcherRun("What is 12 * (3 + 4)?", {
      tools: { current_time: builtinToolSet().current_time },
    });
    assert.equal(r.steps.length, 1);
    assert.equal(r.steps[0].toolCalls.length, 0);
    assert.match(r.text, /Arithmetic in the request: `12 \* \(3 \+ 4\)`/);
  });

  test("plain questions do not call tools", async () => {
    const r = await researcherRun("Why is the sky blue?");
    assert.equal(r.steps.length, 1);
    assert.deepEqual(r.executed, []);
    assert.match(r.text, /\*\*Question type:\*\* why/);
    assert.match(r.text, /\*\*Key terms:\*\* sky, blue/);
    assert.match(r.text, /### A good answer should cover\n1\. /);
  });

  test("works with an inline tool({ inputSchema, execute }) as in the engine", async () => {
    const calls: string[] = [];
    const result = streamText({
      model: createOfflineModel(),
      system: RESEARCHER_SYSTEM,
      messages: [{ role: "user", content: "compute 2^10 please" }],
      tools: {
        calculator: tool({
          description: "calc",
          inputSchema: z.object({ expression: z.string() }),
          execute: async ({ expression }) => {
            calls.push(expression);
            return { expression, result: 1024 };
          },
        }),
      },
      stopWhen: isStepCount(4),
    });
    const text = await result.text;
    assert.deepEqual(calls, ["2^10"]);
    assert.match(text, /Calculator: 2\^10 = 1024/);
  });

  test("uses the last human message as the request; tandem messages before it are history", async () => {
    const r = await researcherRun("What is 6 * 7?", {
      history: [
        { role: "user", content: "What is 1 + 1?" },
        colleague("## Research notes\n- Calculator: 1 + 1 = 2"),
        { role: "assistant", content: "1 + 1 = 2" },
      ],
    });
    assert.equal(r.steps.length, 2, "still researcher mode: the colleague note is before the request");
    assert.deepEqual(
      r.executed.map((e) => e.input),
      [{ expression: "6 * 7" }],
    );
    assert.match(r.text, /Calculator: 6 \* 7 = 42/);
    assert.match(r.text, /previous user message was "What is 1 \+ 1\?"/);
  });
});

describe("offline model: writer", () => {
  test("composes an answer from the notes, using their facts, and never calls tools", async () => {
    const research = await researcherRun("What is 12 * (3 + 4)?");
    const executed: Array<{ name: string; input: unknown }> = [];
    const result = streamText({
      model: createOfflineModel(),
      system: WRITER_SYSTEM,
      messages: [{ role: "user", content: "What is 12 * (3 + 4)?" }, colleague(research.text)],
      tools: builtinToolSet(executed),
      stopWhen: isStepCount(4),
    });
    let deltas = "";
    for await (const d of result.textStream) deltas += d;
    const text = await result.text;
    const steps = await result.steps;
    assert.equal(steps.length, 1);
    assert.equal(steps[0].toolCalls.length, 0);
    assert.deepEqual(executed, []);
    assert.equal(deltas, text);
    assert.match(text, /Based on the researcher's notes/);
    assert.match(text, /\*\*84\*\*/);
    assert.match(text, /12 \* \(3 \+ 4\)/);
    assert.match(text, /^## /);
  });

  test("restates key terms and turns the checklist into the answer", async () => {
    const research = await researcherRun("How do I brew good coffee with a French press?");
    const { text } = await generateText({
      model: createOfflineModel(),
      system: WRITER_SYSTEM,
      messages: [{ role: "user", content: "How do I brew good coffee with a French press?" }, colleague(research.text)],
      tools: builtinToolSet(),
    });
    assert.match(text, /Based on the researcher's notes/);
    assert.match(text, /Key terms: \*\*brew\*\*, \*\*good\*\*, \*\*coffee\*\*, \*\*French\*\*, \*\*press\*\*/);
    assert.match(text, /### Steps to cover/);
    assert.match(text, /step-by-step instructions/i);
    assert.ok(text.length > 200 && text.length < 2000, `length ${text.length}`);
  });

  test("uses facts from free-form notes and names the colleague", async () => {
    const notes = "Key facts:\n- The Eiffel Tower is 330 m tall.\n- It opened in 1889.";
    const { text } = await generateText({
      model: createOfflineModel(),
      system: WRITER_SYSTEM,
      messages: [{ role: "user", content: "Tell me about the Eiffel Tower" }, colleague(notes, "scout", "Fact Finder")],
    });
    assert.match(text, /Based on the scout's notes/);
    assert.match(text, /Eiffel/);
    assert.match(text, /330 m/);
  });

  test("current time notes become the answer", async () => {
    const research = await researcherRun("what time is it in London?");
    const { text } = await generateText({
      model: createOfflineModel(),
      system: WRITER_SYSTEM,
      messages: [{ role: "user", content: "what time is it in London?" }, colleague(research.text)],
    });
    assert.match(text, /Based on the researcher's notes, it is currently \*\*Tuesday, December 1, 2026 at 13:05:09/);
    assert.match(text, /Europe\/London/);
  });

  test("tool failure in the notes is passed on", async () => {
    const research = await researcherRun("What is 5 / 0?");
    const { text } = await generateText({
      model: createOfflineModel(),
      system: WRITER_SYSTEM,
      messages: [{ role: "user", content: "What is 5 / 0?" }, colleague(research.text)],
    });
    assert.match(text, /could not evaluate `5 \/ 0`: Division by zero/);
  });
});

describe("offline model: raw LanguageModelV4", () => {
  test("doStream part order: stream-start first, text-start/deltas/text-end, finish with usage last", async () => {
    const m = createOfflineModel();
    const { stream } = await m.doStream({ prompt: userPrompt("Explain how vaccines work") });
    const parts = await collect(stream);
    assert.equal(parts[0].type, "stream-start");
    const types = parts.map((p) => p.type);
    const start = types.indexOf("text-start");
    const end = types.indexOf("text-end");
    assert.ok(start > 0 && end > start + 2);
    assert.ok(types.slice(start + 1, end).every((t) => t === "text-delta"));
    const last = parts[parts.length - 1];
    assert.equal(last.type, "finish");
    if (last.type !== "finish") return;
    assert.deepEqual(last.finishReason, { unified: "stop", raw: "stop" });
    const text = parts.map((p) => (p.type === "text-delta" ? p.delta : "")).join("");
    const promptChars = RESEARCHER_SYSTEM.length + "Explain how vaccines work".length;
    assert.equal(last.usage.inputTokens.total, Math.ceil(promptChars / 4));
    assert.equal(last.usage.outputTokens.total, Math.ceil(text.length / 4));
  });

  test("doStream tool calls: tool-input-start/delta/end then tool-call, finish tool-calls", async () => {
    const m = createOfflineModel();
    const { stream } = await m.doStream({
      prompt: userPrompt("What is 12 * (3 + 4)?"),
      tools: [calculatorToolDef, timeToolDef],
    });
    const parts = await collect(stream);
    assert.deepEqual(
      parts.map((p) => p.type),
      [
        "stream-start",
        "response-metadata",
        "tool-input-start",
        "tool-input-delta",
        "tool-input-end",
        "tool-call",
        "finish",
      ],
    );
    const callPart = parts.find((p) => p.type === "tool-call");
    assert.ok(callPart && callPart.type === "tool-call");
    assert.equal(callPart.toolName, "calculator");
    assert.deepEqual(JSON.parse(callPart.input), { expression: "12 * (3 + 4)" });
    const fin = parts.at(-1)!;
    assert.ok(fin.type === "finish" && fin.finishReason.unified === "tool-calls");
  });

  test("doGenerate shares the logic with doStream", async () => {
    const m = createOfflineModel();
    const gen = await m.doGenerate({ prompt: userPrompt("What is 12 * (3 + 4)?"), tools: [calculatorToolDef] });
    assert.equal(gen.finishReason.unified, "tool-calls");
    assert.equal(gen.content.length, 1);
    const c = gen.content[0];
    assert.ok(c.type === "tool-call");
    assert.deepEqual(JSON.parse(c.input), { expression: "12 * (3 + 4)" });

    // With the tool result in the prompt: notes, no second call.
    const followUp: LanguageModelV4Prompt = [
      {
        role: "assistant",
        content: [
          {
            type: "tool-call",
            toolCallId: c.toolCallId,
            toolName: "calculator",
            input: { expression: "12 * (3 + 4)" },
          },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: c.toolCallId,
            toolName: "calculator",
            output: { type: "json", value: { expression: "12 * (3 + 4)", result: 84 } },
          },
        ],
      },
    ];
    const gen2 = await m.doGenerate({
      prompt: userPrompt("What is 12 * (3 + 4)?", followUp),
      tools: [calculatorToolDef],
    });
    assert.equal(gen2.finishReason.unified, "stop");
    const t = gen2.content[0];
    assert.ok(t.type === "text");
    assert.match(t.text, /Calculator: 12 \* \(3 \+ 4\) = 84/);

    const { stream } = await m.doStream({
      prompt: userPrompt("What is 12 * (3 + 4)?", followUp),
      tools: [calculatorToolDef],
    });
    const streamed = (await collect(stream)).map((p) => (p.type === "text-delta" ? p.delta : "")).join("");
    assert.equal(streamed, t.text);
    assert.ok(gen2.usage.inputTokens.total! > 0 && gen2.usage.outputTokens.total === Math.ceil(t.text.length / 4));
  });

  test("error-text tool results are reported as failures", async () => {
    const m = createOfflineModel();
    const prompt = userPrompt("What time is it in Mars/Base?", [
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "c1", toolName: "current_time", input: { timezone: "Mars/Base" } }],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "c1",
            toolName: "current_time",
            output: { type: "error-text", value: "Unknown time zone: Mars/Base" },
          },
        ],
      },
    ]);
    const gen = await m.doGenerate({ prompt, tools: [timeToolDef] });
    const t = gen.content[0];
    assert.ok(t.type === "text");
    assert.match(t.text, /Current time tool failed for "Mars\/Base": Unknown time zone: Mars\/Base/);
  });

  test("toolChoice none suppresses tool calls", async () => {
    const m = createOfflineModel();
    const gen = await m.doGenerate({
      prompt: userPrompt("What is 1 + 1?"),
      tools: [calculatorToolDef],
      toolChoice: { type: "none" },
    });
    assert.equal(gen.finishReason.unified, "stop");
    assert.equal(gen.content[0].type, "text");
  });

  test("empty and odd prompts do not crash", async () => {
    const m = createOfflineModel();
    const odd: LanguageModelV4Prompt[] = [
      [],
      [{ role: "system", content: "" }],
      [{ role: "user", content: [] }],
      [{ role: "user", content: [{ type: "text", text: "   " }] }],
      [{ role: "assistant", content: [{ type: "text", text: "I spoke first" }] }],
      [{ role: "user", content: [{ type: "file", mediaType: "image/png", data: { type: "data", data: "AAAA" } }] }],
      [
        {
          role: "user",
          content: [{ type: "text", text: "researcher (R) wrote:\nonly notes" }],
          providerOptions: { tandem: { agent: "researcher", role: "R" } },
        },
      ],
      [
        { role: "user", content: [{ type: "text", text: "hi" }] },
        { role: "user", content: [{ type: "text", text: "" }], providerOptions: { tandem: {} } },
      ],
      userPrompt("x".repeat(20000)),
      userPrompt("hello!"),
    ];
    for (const prompt of odd) {
      const gen = await m.doGenerate({ prompt, tools: [calculatorToolDef] });
      assert.ok(gen.content.length >= 1);
      const { stream } = await m.doStream({ prompt });
      const parts = await collect(stream);
      assert.equal(parts.at(-1)!.type, "finish");
      const text = parts.map((p) => (p.type === "text-delta" ? p.delta : "")).join("");
      assert.ok(
        text.length > 20 && text.length < 3000,
        `sensible text for ${JSON.stringify(prompt).slice(0, 80)}: ${text.length}`,
      );
    }
  });

  test("already-aborted signal rejects doGenerate and doStream", async () => {
    const m = createOfflineModel();
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(async () => m.doGenerate({ prompt: userPrompt("hi"), abortSignal: ac.signal }), {
      name: "AbortError",
    });
    await assert.rejects(async () => m.doStream({ prompt: userPrompt("hi"), abortSignal: ac.signal }), {
      name: "AbortError",
    });
  });

  test("abort while waiting between chunks errors the raw stream promptly", async () => {
    const m = createOfflineModel({ delayMs: 50 });
    const ac = new AbortController();
    const { stream } = await m.doStream({ prompt: userPrompt("Explain how vaccines work"), abortSignal: ac.signal });
    const reader = stream.getReader();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 120);
    let deltas = 0;
    await assert.rejects(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          if (value.type === "text-delta") deltas++;
        }
      })(),
      { name: "AbortError" },
    );
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < 170, `aborted within one chunk delay (took ${elapsed} ms)`);
    assert.ok(deltas >= 1 && deltas <= 3, `got ${deltas} deltas before abort`);
  });
});

describe("offline model: abort and determinism via the AI SDK", () => {
  test("aborting streamText mid-stream stops promptly", async () => {
    const ac = new AbortController();
    let onAbortCalled = false;
    const result = streamText({
      model: createOfflineModel({ delayMs: 25 }),
      system: RESEARCHER_SYSTEM,
      messages: [{ role: "user", content: "How does photosynthesis work in plants?" }],
      abortSignal: ac.signal,
      onAbort: () => {
        onAbortCalled = true;
      },
    });
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 100);
    let chunks = 0;
    try {
      for await (const _ of result.textStream) chunks++;
    } catch (e) {
      assert.equal((e as Error).name, "AbortError");
    }
    const elapsed = Date.now() - t0;
    // Unaborted, this text has ~70 chunks x 25 ms ≈ 1.7 s.
    assert.ok(elapsed < 600, `stopped promptly (took ${elapsed} ms)`);
    assert.ok(chunks > 0 && chunks < 20, `streamed ${chunks} chunks before abort`);
    assert.equal(onAbortCalled, true);
    // In ai v7, result.text is a PromiseLike (not a Promise) that rejects after an abort.
    await assert.rejects(async () => result.text, { name: "AbortError" });
  });

  test("same prompt → same output (researcher and writer)", async () => {
    const a = await researcherRun("Compare PostgreSQL vs SQLite for a small web app");
    const b = await researcherRun("Compare PostgreSQL vs SQLite for a small web app");
    assert.equal(a.text, b.text);
    assert.deepEqual(a.usage, b.usage);
    assert.match(a.text, /\*\*Question type:\*\* comparison \(PostgreSQL vs\. SQLite\)/);

    const t1 = await researcherRun("What is 12 * (3 + 4)?");
    const t2 = await researcherRun("What is 12 * (3 + 4)?");
    assert.equal(t1.text, t2.text);
    assert.equal(t1.steps[0].toolCalls[0].toolCallId, t2.steps[0].toolCalls[0].toolCallId);

    const write = () =>
      generateText({
        model: createOfflineModel(),
        system: WRITER_SYSTEM,
        messages: [{ role: "user", content: "Compare PostgreSQL vs SQLite for a small web app" }, colleague(a.text)],
      }).then((r) => r.text);
    const [w1, w2] = [await write(), await write()];
    assert.equal(w1, w2);
    assert.match(w1, /PostgreSQL/);
    assert.match(w1, /### How they compare/);
  });

  test("different prompts → different output", async () => {
    const a = await researcherRun("Why is the sky blue?");
    const b = await researcherRun("Why is the sea salty?");
    assert.notEqual(a.text, b.text);
  });
});

describe("offline model: the product's forms (tables, code, review, titles)", () => {
  const writerSystem = "You are the writer on a two-agent team.";
  async function writerText(request: string, system = WRITER_SYSTEM, withNotes = true) {
    const notes = withNotes ? [colleague((await researcherRun(request)).text)] : [];
    const { text } = await generateText({
      model: createOfflineModel(),
      system,
      messages: [{ role: "user", content: request }, ...notes],
    });
    return text;
  }

  test("a comparison asked for as a table gets a Markdown table with both subjects as columns", async () => {
    const text = await writerText("Compare SQLite and PostgreSQL in a table");
    assert.match(text, /^\| Aspect \| SQLite \| PostgreSQL \|$/m);
    assert.match(text, /^\| --- \| --- \| --- \|$/m);
    assert.ok((text.match(/^\|.*\|$/gm) ?? []).length >= 4, text);
    assert.doesNotMatch(await writerText("Compare SQLite and PostgreSQL"), /^\|/m, "no table unless asked");
  });

  test("other questions asked for as a table list their points in one", async () => {
    const text = await writerText("What are the benefits of unit testing? Put them in a table.");
    assert.match(text, /^\| # \| Point \| Key term \|$/m);
    assert.match(text, /^\| 1 \| /m);
  });

  test("code asked for comes fenced, in the language named, and correct for the common tasks", async () => {
    const python = await writerText("Write a Python function for the Fibonacci numbers");
    assert.match(python, /```python\ndef fibonacci\(n: int\) -> list\[int\]:/);
    assert.match(python, /\n```(?:\n|$)/);
    const js = await writerText("Show me JavaScript code that checks for a palindrome");
    assert.match(js, /```javascript\nfunction isPalindrome\(text\) \{/);
    const ts = await writerText("A TypeScript function to compute a factorial, please");
    assert.match(ts, /```typescript\nfunction factorial\(n: number\) \{/);
    const outline = await writerText("Write code to parse CSV invoices");
    assert.match(outline, /```python\ndef \w+\(\):\n {4}"""/);
    assert.doesNotMatch(await writerText("What is a CSV file?"), /```/, "no code unless asked");
  });

  test("the same request gives the same table and code (deterministic)", async () => {
    const request = "Compare Python and Go in a table, with a python code example";
    assert.equal(await writerText(request), await writerText(request));
  });

  test("a writer working alone (no notes) answers directly instead of writing notes", async () => {
    const text = await writerText("Write a Python function to reverse a string", writerSystem, false);
    assert.match(text, /^## /);
    assert.match(text, /Based on what you asked/);
    assert.match(text, /def reverse_string\(text: str\) -> str:/);
  });

  test("a reviewer approves a draft that has what was asked, and requests what is missing", async () => {
    const request = "Compare SQLite and PostgreSQL in a table";
    const draft = await writerText(request);
    const review = async (text: string) =>
      (
        await generateText({
          model: createOfflineModel(),
          system: "You are the reviewer on the team.",
          messages: [{ role: "user", content: request }, colleague(text, "writer", "Technical Writer")],
        })
      ).text;
    const approved = await review(draft);
    assert.match(approved, /^\*\*Approved\*\*/);
    assert.match(approved, /writer's draft/);
    const refused = await review("## SQLite vs. PostgreSQL\n\nThey differ.");
    assert.match(refused, /^\*\*Changes requested\*\*/);
    assert.match(refused, /a table/);
  });

  test("titles summarise the question deterministically", async () => {
    const title = async (question: string) =>
      (
        await generateText({
          model: createOfflineModel(),
          system: "You name chat conversations.",
          prompt: `Question:\n${question}\n\nAnswer:\n## Some answer\n\nText.`,
          providerOptions: { tandem: { task: "title" } },
        })
      ).text;
    assert.equal(
      await title("Compare SQLite and PostgreSQL for a small team's internal tool"),
      "SQLite vs. PostgreSQL",
    );
    assert.equal(await title("What is 12 * (3 + 4)?"), "Calculating 12 * (3 + 4)");
    assert.equal(await title("How does a WebSocket reconnect work?"), "WebSocket reconnect");
    assert.equal(await title("hello"), "Saying hello");
    const long = await title(`Plan ${"a relaxed trip to Lisbon ".repeat(200)}`);
    assert.ok(long.length <= 50 && long.length > 0, long);
  });
});

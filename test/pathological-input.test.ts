/**
 * Pathological input: text of up to the size limits built to make patterns backtrack (long runs
 * of whitespace, deeply nested parentheses and list markers, repeated operators, long unbroken
 * words, and seeded mixes of these) goes through every piece of Tandem's own code that reads a
 * user's or an agent's text: the offline model (researcher and writer mode, prompts built as the
 * engine builds them), each built-in tool, the finders the model uses, and the chat UI's text
 * helpers and markdown. No single call may take far beyond normal (a few ms): the bound is
 * deliberately generous, and it is measured in this process's CPU time, so a busy machine does
 * not inflate it. Then a real server: a sync send of the message that once froze it for 15 s
 * completes quickly while /api/health/ keeps answering.
 *
 * Reproducible: the seed is printed; TANDEM_PATHOLOGICAL_SEED=<seed> replays a run and
 * TANDEM_PATHOLOGICAL_CASES=<n> scales it (default 24 seeded texts beside the fixed ones).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LanguageModelV4CallOptions, LanguageModelV4Prompt, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import type { ModelMessage } from "ai";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { Markdown } from "@/app/(chat)/_components/Markdown";
import { conversation, systemPrompt } from "@/lib/agents/context";
import { chunkText, createOfflineModel, extractKeyTerms } from "@/lib/agents/offline-model";
import {
  asksForDateOrTime,
  builtinTools,
  findArithmeticExpression,
  findTimeZone,
  type ToolContext,
} from "@/lib/agents/tools/index";
import { formatJson, isPlaceholderTitle, previewJson, sessionLabel, titleFromMessage } from "@/lib/client/format";
import { containerDepth, MAX_MARKDOWN_NESTING } from "@/lib/client/markdown-depth";
import { rehypeSoftBreaks } from "@/lib/client/soft-breaks";
import { safeHref } from "@/lib/client/urls";
import { MAX_CONTENT_LENGTH } from "@/lib/contract/schemas";
import type { AssignmentRow } from "@/lib/db/assignments";
import type { MessageRow } from "@/lib/db/messages";
import { apiClient } from "./support/api";
import { prng } from "./support/prng";
import { startServer, type TandemServer } from "./support/server";

const SEED = Number(process.env.TANDEM_PATHOLOGICAL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env.TANDEM_PATHOLOGICAL_CASES ?? 24);
console.log(`pathological-input seed ${SEED} (TANDEM_PATHOLOGICAL_SEED=${SEED} replays it), ${CASES} seeded texts`);

/** CPU time any one call may take. Normal is a few milliseconds; the bug this guards took seconds. */
const BOUND_MS = 500;
const TITLE_LENGTH = 200;

/** The message that held the server 14-15 s (issue 9, part A 1). */
const REPRODUCTION = `What is 1${" ".repeat(2000)}1+${"e+".repeat(995)}1?`;

// ---------------------------------------------------------------------------------------------
// Hostile texts
// ---------------------------------------------------------------------------------------------

/** Openings that steer the text into one pattern or another (classification, notes, finders). */
const OPENINGS = [
  "",
  "hi",
  "hello there",
  "What is 1",
  "What is",
  "how does x",
  "how do i ",
  "how to ",
  "list the ",
  "what are ",
  "difference between a",
  "compare a",
  "a vs",
  "should i use a",
  "which is better a",
  "why ",
  "please",
  "tell me about ",
  "what time is it in",
  "current time in Asia/",
  "remind me what we talked about",
  "15% of 2",
  "sqrt(",
  "3 x",
  "Calculator: 1",
  "Calculator failed for x:",
  "Current time (x): ",
  "Key terms: a",
  "Question type: ",
  "- ",
  "## ",
  "1. ",
  "> ",
];
/** Units repeated into long runs. */
const UNITS = [
  " ",
  "\t",
  "\n",
  " \n",
  "\r\n",
  "\u00a0",
  "\u2028",
  "a",
  "1",
  "(",
  ")",
  "((",
  "+",
  "1+",
  "e+",
  "-.",
  "?!",
  ",",
  "=",
  ":",
  " and ",
  " or ",
  " vs ",
  " = ",
  "the ",
  "how to ",
  "1,000",
  "1.",
  "1e",
  "difference between ",
  "compare ",
  " for ",
  " please",
  "  x",
  "a_",
  "*a",
  "x ",
  "pi",
  "sqrt(",
  "- ",
  "> ",
  "1. ",
  "(ISO ",
  "Calculator: ",
  "%",
  " plus ",
  "Asia/",
];
/** Endings that make a pattern fail after its long run (or not). */
const ENDINGS = ["", "x", "?", "\r x", "\nx", ")", "1", " 1?"];

function fill(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/** opening + one unit repeated + ending, `length` characters in all. */
function shaped(opening: string, unit: string, ending: string, length: number): string {
  return opening + fill(unit, Math.max(0, length - opening.length - ending.length)) + ending;
}

/** The fixed texts every run checks, the reproduction first (it failed in seconds). */
const FIXED: string[] = [
  REPRODUCTION,
  `What is 1${" ".repeat(MAX_CONTENT_LENGTH - 2000)}1+${"e+".repeat(995)}1?`,
  shaped("", " ", "x", MAX_CONTENT_LENGTH),
  shaped("", "\n", "x", MAX_CONTENT_LENGTH),
  shaped("hi", " ", "x", MAX_CONTENT_LENGTH),
  shaped("a vs", " ", "x", MAX_CONTENT_LENGTH),
  "(".repeat(MAX_CONTENT_LENGTH / 2) + ")".repeat(MAX_CONTENT_LENGTH / 2),
  shaped("", "(", "", MAX_CONTENT_LENGTH),
  shaped("", "1+", "1", MAX_CONTENT_LENGTH),
  shaped("", "a", "", MAX_CONTENT_LENGTH),
  shaped("", "1", "", MAX_CONTENT_LENGTH),
  shaped("difference between ", "a and ", "\nx", MAX_CONTENT_LENGTH),
  shaped("Key terms: a", " ", "\r x", MAX_CONTENT_LENGTH),
  shaped("Current time (x): ", "(ISO ", "", MAX_CONTENT_LENGTH),
];

/** Seeded texts: one opening, unit and ending, or a mix of several runs, at the size limit or below. */
function seededTexts(seed: number, count: number): string[] {
  const r = prng(seed);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = r.pick([MAX_CONTENT_LENGTH, MAX_CONTENT_LENGTH, 8000, 2000]);
    if (i % 3 === 2) {
      const pieces = 2 + r.int(5);
      let text = r.pick(OPENINGS);
      for (let p = 0; p < pieces; p++) text += r.pick(OPENINGS) + fill(r.pick(UNITS), Math.floor(length / pieces) - 40);
      texts.push((text + r.pick(ENDINGS)).slice(-length));
    } else {
      texts.push(shaped(r.pick(OPENINGS), r.pick(UNITS), r.pick(ENDINGS), length));
    }
  }
  return texts;
}

const TEXTS = [...FIXED, ...seededTexts(SEED, CASES)];

/** A short, printable description of a hostile text for failure messages. */
function label(text: string): string {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 40)}…${text.slice(-20)}` : text);
  return `${shown} (${text.length} chars)`;
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

/** Runs `fn` (sync or async) and fails when it took more than BOUND_MS of this process's CPU time. */
async function bounded(what: string, text: string, fn: () => unknown): Promise<void> {
  const start = process.cpuUsage();
  const wallStart = performance.now();
  await fn();
  const { user, system } = process.cpuUsage(start);
  const cpuMs = (user + system) / 1000;
  const wallMs = performance.now() - wallStart;
  assert.ok(
    cpuMs <= BOUND_MS,
    `${what} took ${cpuMs.toFixed(0)} ms of CPU (${wallMs.toFixed(0)} ms wall) on ${label(text)} (seed ${SEED})`,
  );
}

// ---------------------------------------------------------------------------------------------
// Prompts as the engine builds them (lib/agents/context.ts)
// ---------------------------------------------------------------------------------------------

const RESEARCHER = {
  id: 1,
  name: "researcher",
  role: "Research Analyst",
  description: "Dig into the request and write notes.",
};
const WRITER = { id: 2, name: "writer", role: "Writer", description: "Compose the answer from the notes." };

function assignment(agent: typeof RESEARCHER, promptOverride: string): AssignmentRow {
  return { id: agent.id, agent, promptOverride } as unknown as AssignmentRow;
}

function message(id: number, content: string, agent: typeof RESEARCHER | null): MessageRow {
  return { id, role: agent ? "agent" : "user", content, agentId: agent?.id ?? null, agent } as unknown as MessageRow;
}

/** What the engine hands the model for `agent`, in the model's own prompt format. */
function enginePrompt(
  agent: typeof RESEARCHER,
  history: MessageRow[],
  runFromId: number,
  promptOverride = "",
): LanguageModelV4Prompt {
  const team = [assignment(RESEARCHER, promptOverride), assignment(WRITER, "")];
  const messages: ModelMessage[] = conversation(history, {
    agentId: agent.id,
    inTurn: (m) => m.id >= runFromId,
    budgetTokens: 6000,
  });
  return [
    { role: "system", content: systemPrompt(team[agent.id - 1], team) },
    ...messages.map((m) => ({
      role: m.role as "user",
      content: [{ type: "text" as const, text: m.content as string }],
      ...(m.providerOptions ? { providerOptions: m.providerOptions as Record<string, Record<string, never>> } : {}),
    })),
  ];
}

const TOOLS: LanguageModelV4CallOptions["tools"] = [...builtinTools.values()].map((t) => ({
  type: "function" as const,
  name: t.name,
  inputSchema: { type: "object" },
}));

/** Notes a colleague might write around hostile text: every line shape the writer reads. */
function hostileNotes(text: string): string {
  const shapes = [
    "Calculator: ",
    "Calculator failed for ",
    "Current time (UTC): ",
    "Key terms: ",
    "Question type: ",
    "- ",
    "1. ",
    "",
  ];
  const share = Math.floor(text.length / shapes.length);
  return [
    "## Research notes",
    ...shapes.map((s, i) => s + text.slice(i * share, (i + 1) * share)),
    "### A good answer should cover",
    `1. ${text.slice(0, share)}`,
  ].join("\n");
}

async function drain(stream: ReadableStream<LanguageModelV4StreamPart>): Promise<void> {
  const reader = stream.getReader();
  while (!(await reader.read()).done) {
    // read to the end
  }
}

function hostileContext(text: string): ToolContext {
  return {
    async searchMessages(_query, limit) {
      return Array.from({ length: limit }, (_, i) => ({
        id: i + 1,
        role: "user",
        agent: null,
        content: text,
        created_at: "2026-12-01T00:00:00.000Z",
      }));
    },
    now: () => new Date("2026-12-01T13:05:09.000Z"),
  };
}

// ---------------------------------------------------------------------------------------------
// Tandem's own code
// ---------------------------------------------------------------------------------------------

describe("pathological input holds the event loop only briefly", () => {
  test("the finders the offline model uses", async () => {
    for (const text of TEXTS) {
      await bounded("findArithmeticExpression", text, () => findArithmeticExpression(text));
      await bounded("asksForDateOrTime", text, () => asksForDateOrTime(text));
      await bounded("findTimeZone", text, () => findTimeZone(text));
      await bounded("extractKeyTerms", text, () => extractKeyTerms(text));
      await bounded("chunkText", text, () => chunkText(text));
    }
  });

  test("every built-in tool's execute", async () => {
    for (const text of TEXTS) {
      const ctx = hostileContext(text);
      for (const tool of builtinTools.values()) {
        for (const cut of [text.slice(0, 64), text.slice(0, 200), text.slice(0, 500), text.slice(-500)]) {
          const input = { expression: cut, timezone: cut, query: cut, limit: 20 };
          // Tools refuse bad input with readable errors: that is fine, only time matters here.
          await bounded(`${tool.name}.execute`, cut, () =>
            tool.execute(input, ctx).catch((e: Error) => assert.ok(e.message)),
          );
        }
      }
    }
  });

  test("the offline model in researcher mode, before and after tool results", async () => {
    const model = createOfflineModel();
    for (const text of TEXTS) {
      const history = [message(1, text, null), message(2, text, WRITER), message(3, text, null)];
      const prompt = enginePrompt(RESEARCHER, history, 3, text.slice(0, 4000));
      await bounded("researcher doGenerate", text, () => model.doGenerate({ prompt, tools: TOOLS }));
      await bounded("researcher doStream", text, async () =>
        drain((await model.doStream({ prompt, tools: TOOLS })).stream),
      );

      const outputs = [
        { type: "error-text" as const, value: text },
        {
          type: "json" as const,
          value: { query: text, results: [{ id: 1, role: "user", agent: null, content: text }] },
        },
      ];
      for (const [i, output] of outputs.entries()) {
        const withResults: LanguageModelV4Prompt = [
          ...prompt,
          {
            role: "assistant",
            content: [
              {
                type: "tool-call",
                toolCallId: `c${i}`,
                toolName: i ? "session_search" : "calculator",
                input: { expression: text.slice(0, 500), query: text.slice(0, 200) },
              },
            ],
          },
          {
            role: "tool",
            content: [
              { type: "tool-result", toolCallId: `c${i}`, toolName: i ? "session_search" : "calculator", output },
            ],
          },
        ];
        await bounded("researcher doGenerate after a tool result", text, () =>
          model.doGenerate({ prompt: withResults, tools: TOOLS }),
        );
      }
    }
  });

  test("the offline model in writer mode, with colleague notes carrying the text", async () => {
    const model = createOfflineModel();
    for (const text of TEXTS) {
      for (const notes of [text, hostileNotes(text)]) {
        const history = [message(1, text, null), message(2, notes, RESEARCHER)];
        const prompt = enginePrompt(WRITER, history, 1);
        await bounded("writer doGenerate", text, () => model.doGenerate({ prompt }));
        await bounded("writer doStream", text, async () => drain((await model.doStream({ prompt })).stream));
      }
      // The chain as it runs: the researcher's own notes on the hostile request, then the writer.
      const research = await model.doGenerate({ prompt: enginePrompt(RESEARCHER, [message(1, text, null)], 1) });
      const notes = research.content.map((c) => (c.type === "text" ? c.text : "")).join("");
      const prompt = enginePrompt(WRITER, [message(1, text, null), message(2, notes, RESEARCHER)], 1);
      await bounded("writer doGenerate on the researcher's notes", text, () => model.doGenerate({ prompt }));
    }
  });

  test("the chat UI's text helpers", async () => {
    for (const text of TEXTS) {
      const title = text.slice(0, TITLE_LENGTH);
      await bounded("titleFromMessage", text, () => titleFromMessage(text));
      await bounded("sessionLabel / isPlaceholderTitle", title, () => [sessionLabel(title), isPlaceholderTitle(title)]);
      await bounded("previewJson / formatJson", text, () => [
        previewJson({ expression: text }),
        formatJson({ expression: text }),
      ]);
      await bounded("safeHref", text, () => [safeHref(text), safeHref(`https://example.com/${text}`)]);
      await bounded("containerDepth", text, () => containerDepth(text));
      // Text nodes as remark hands them over: between blocks, and inside a paragraph.
      const block = { type: "element", tagName: "p", properties: {}, children: [] };
      const tree = {
        type: "root",
        children: [block, { type: "text", value: text }, { ...block }, { type: "text", value: `${text}\n` }],
      };
      await bounded("rehypeSoftBreaks", text, () => rehypeSoftBreaks()(tree));
    }
  });

  test("markdown rendering: deep nesting is shown as plain text instead of overflowing the parser", async () => {
    // Nested block containers cost the parser quadratic time and, a few thousand deep, its stack.
    for (const unit of ["- ", "> ", "1. ", "* ", "+ ", ">", "> - ", "- 1. > "]) {
      const text = shaped("", unit, "x", MAX_CONTENT_LENGTH);
      let html = "";
      await bounded("Markdown render", text, () => {
        html = renderToStaticMarkup(createElement(Markdown, { text }));
      });
      assert.ok(html.includes("x</p>"), `rendered as text: ${label(text)}`);
    }
    // Real answers nest a few levels and stay markdown.
    const answer = "## Plan\n\n- step one\n  - detail\n    > a quote\n    > - with a list\n1. first\n2. **second**";
    assert.ok(containerDepth(answer) <= MAX_MARKDOWN_NESTING);
    const html = renderToStaticMarkup(createElement(Markdown, { text: answer }));
    assert.match(html, /<h2>Plan<\/h2>/);
    assert.match(html, /<blockquote>/);
    assert.match(html, /<strong>second<\/strong>/);
  });
});

// ---------------------------------------------------------------------------------------------
// A real server
// ---------------------------------------------------------------------------------------------

describe("pathological input on a real server", () => {
  let server: TandemServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("a sync send of the reproduction completes quickly and health answers meanwhile", async (t) => {
    const api = apiClient(server.url);
    const created = await api("POST", "/api/sessions/", {});
    assert.equal(created.status, 201, created.text);

    const started = performance.now();
    let sending = true;
    const send = api("POST", `/api/sessions/${created.json.session_id}/send/`, { content: REPRODUCTION }).finally(
      () => {
        sending = false;
      },
    );
    // Health is asked over and over while the send runs; the slowest answer is what a frozen loop shows.
    let slowestHealthMs = 0;
    let healthChecks = 0;
    let healthFailures = 0;
    while (sending) {
      const asked = performance.now();
      const ok = await fetch(`${server.url}/api/health/`, { signal: AbortSignal.timeout(10_000) }).then(
        (r) => r.ok,
        () => false,
      );
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - asked);
      healthChecks++;
      if (!ok) healthFailures++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const sent = await send;
    const sendMs = performance.now() - started;
    const seen = `the sync send took ${sendMs.toFixed(0)} ms; /api/health/ took up to ${slowestHealthMs.toFixed(0)} ms (${healthFailures} of ${healthChecks} unanswered)`;
    t.diagnostic(seen);
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(
      sent.json.map((m: { role: string }) => m.role),
      ["user", "agent", "agent"],
    );
    // Generous: the send takes well under a second on an idle machine; it took 14-15 s when the bug was live.
    assert.ok(sendMs < 10_000, seen);
    assert.ok(healthChecks > 0 && healthFailures === 0 && slowestHealthMs < 3_000, seen);
  });
});

/**
 * Tests for the built-in tools in lib/agents/tools/.
 *
 * Run: node --import tsx --test test/tools.test.ts
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  asksForDateOrTime,
  type BuiltinTool,
  builtinTools,
  type CalculatorInput,
  type CalculatorOutput,
  type CurrentTimeInput,
  type CurrentTimeOutput,
  evaluateExpression,
  findArithmeticExpression,
  findTimeZone,
  type SessionSearchInput,
  type SessionSearchOutput,
  type ToolContext,
  type ToolOutcome,
  toolParametersJsonSchema,
} from "@/lib/agents/tools/index";
import { MAX_TOOL_SUMMARY_LENGTH } from "@/lib/contract/schemas";

const noSearch: ToolContext = {
  async searchMessages() {
    throw new Error("searchMessages should not be called");
  },
};

// The registry erases each tool's input and output types; the tests know which tool is which.
const calculator = builtinTools.get("calculator") as BuiltinTool<CalculatorInput, CalculatorOutput>;
const currentTime = builtinTools.get("current_time") as BuiltinTool<CurrentTimeInput, CurrentTimeOutput>;
const sessionSearch = builtinTools.get("session_search") as BuiltinTool<SessionSearchInput, SessionSearchOutput>;

async function calc(expression: string): Promise<number> {
  const out = await calculator.execute({ expression }, noSearch);
  assert.equal(out.expression, expression.trim());
  return out.result;
}

describe("registry", () => {
  test("has the three built-in tools, each with name/description/schema/execute/summarize", () => {
    assert.deepEqual([...builtinTools.keys()].sort(), ["calculator", "current_time", "session_search"]);
    for (const [name, t] of builtinTools) {
      assert.equal(t.name, name);
      assert.ok(t.description.length > 20, `${name} has a description`);
      assert.equal(typeof t.execute, "function");
      assert.equal(typeof t.summarize, "function");
      assert.equal(typeof t.inputSchema.parse, "function");
    }
  });

  test("toolParametersJsonSchema produces JSON Schema objects from the zod schemas", () => {
    const c = toolParametersJsonSchema(calculator) as any;
    assert.equal(c.type, "object");
    assert.equal(c.properties.expression.type, "string");
    assert.deepEqual(c.required, ["expression"]);
    assert.equal(c.$schema, undefined);

    const t = toolParametersJsonSchema(currentTime) as any;
    assert.equal(t.properties.timezone.type, "string");
    assert.ok(!t.required?.includes("timezone"), "timezone is optional");

    const s = toolParametersJsonSchema(sessionSearch) as any;
    assert.equal(s.properties.query.type, "string");
    assert.equal(s.properties.query.maxLength, 200);
    assert.equal(s.properties.limit.type, "integer");
    assert.equal(s.properties.limit.default, 5);
    assert.equal(s.properties.limit.maximum, 20);
    assert.deepEqual(s.required, ["query"], "limit has a default, so it is not required on input");
    // Round-trips through JSON (it is stored in a database column).
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  });
});

describe("calculator", () => {
  test("basic arithmetic and precedence", async () => {
    assert.equal(await calc("1 + 2 * 3"), 7);
    assert.equal(await calc("(1 + 2) * 3"), 9);
    assert.equal(await calc("12 * (3 + 4)"), 84);
    assert.equal(await calc("10 - 4 - 3"), 3, "subtraction is left-associative");
    assert.equal(await calc("100 / 10 / 5"), 2, "division is left-associative");
    assert.equal(await calc("10 % 4"), 2);
    assert.equal(await calc("2 + 3 * 4 ^ 2"), 50);
    assert.equal(await calc("  7  "), 7);
  });

  test("power is right-associative and binds tighter than unary minus", async () => {
    assert.equal(await calc("2^3^2"), 512);
    assert.equal(await calc("(2^3)^2"), 64);
    assert.equal(await calc("-2^2"), -4);
    assert.equal(await calc("(-2)^2"), 4);
    assert.equal(await calc("2^-1"), 0.5);
    assert.equal(await calc("2 ** 10"), 1024);
  });

  test("unary minus and plus", async () => {
    assert.equal(await calc("-5 + 3"), -2);
    assert.equal(await calc("--5"), 5);
    assert.equal(await calc("+5 - -5"), 10);
    assert.equal(await calc("-(3 + 4) * 2"), -14);
    assert.equal(await calc("3 * -2"), -6);
  });

  test("decimals, scientific notation and tidy floating point", async () => {
    assert.equal(await calc("0.1 + 0.2"), 0.3);
    assert.equal(await calc(".5 * 4"), 2);
    assert.equal(await calc("1.5e3 / 3"), 500);
    assert.equal(await calc("2E-3 * 1000"), 2);
    assert.equal(await calc("1 / 3"), 0.333333333333333);
  });

  test("× x ÷ aliases", async () => {
    assert.equal(await calc("3 × 4"), 12);
    assert.equal(await calc("3 x 4"), 12);
    assert.equal(await calc("3x4"), 12);
    assert.equal(await calc("12 ÷ 4"), 3);
    assert.equal(await calc("(1 + 2) x (3 + 4)"), 21);
  });

  test("functions and constants", async () => {
    assert.equal(await calc("sqrt(16)"), 4);
    assert.equal(await calc("abs(-3.5)"), 3.5);
    assert.equal(await calc("round(2.5)"), 3);
    assert.equal(await calc("floor(2.7) + ceil(2.1)"), 5);
    assert.equal(await calc("min(3, 1, 2)"), 1);
    assert.equal(await calc("max(3, 1, 2)"), 3);
    assert.equal(await calc("log(1000)"), 3);
    assert.equal(await calc("log(8, 2)"), 3);
    assert.equal(await calc("ln(e)"), 1);
    assert.equal(await calc("sin(pi / 2)"), 1);
    assert.equal(await calc("cos(0)"), 1);
    assert.equal(await calc("tan(0)"), 0);
    assert.equal(await calc("2 * pi"), 6.28318530717959);
    assert.equal(await calc("SQRT(9) + PI - pi"), 3, "names are case-insensitive");
  });

  test("errors: division by zero and non-finite results", async () => {
    await assert.rejects(calculator.execute({ expression: "1 / 0" }, noSearch), /Division by zero/);
    await assert.rejects(calculator.execute({ expression: "5 % 0" }, noSearch), /Division by zero/);
    await assert.rejects(calculator.execute({ expression: "10 ^ 400" }, noSearch), /not finite/);
    await assert.rejects(calculator.execute({ expression: "sqrt(-1)" }, noSearch), /negative/);
    await assert.rejects(calculator.execute({ expression: "1e999" }, noSearch), /too large/);
  });

  test("errors: syntax", async () => {
    await assert.rejects(calculator.execute({ expression: "" }, noSearch), /empty/);
    await assert.rejects(calculator.execute({ expression: "2 +" }, noSearch), /Unexpected end/);
    await assert.rejects(calculator.execute({ expression: "(1 + 2" }, noSearch), /Missing "\)"/);
    await assert.rejects(calculator.execute({ expression: "1 + 2)" }, noSearch), /Unmatched/);
    await assert.rejects(calculator.execute({ expression: "()" }, noSearch), /Empty parentheses/);
    await assert.rejects(calculator.execute({ expression: "2 3" }, noSearch), /Unexpected number 3/);
    await assert.rejects(calculator.execute({ expression: "sqrt 4" }, noSearch), /parentheses/);
    await assert.rejects(calculator.execute({ expression: "sqrt(1, 2)" }, noSearch), /expects 1 argument/);
    await assert.rejects(calculator.execute({ expression: 42 } as any, noSearch), /must be a string/);
  });

  test("errors: injection attempts are rejected, never evaluated", async () => {
    for (const attack of [
      "process.exit()",
      "constructor",
      "constructor.constructor('return process')()",
      "__proto__",
      "toString()",
      "this",
      "require('fs')",
      "globalThis",
      "x",
      "1;2",
      "1 + 2; process.exit(1)",
      "`1`",
      "[1]",
      "a = 1",
      "1 == 1",
      "alert(1)",
    ]) {
      await assert.rejects(calculator.execute({ expression: attack }, noSearch), Error, `should reject ${attack}`);
    }
    await assert.rejects(
      calculator.execute({ expression: "process.exit()" }, noSearch),
      /Unknown identifier "process"/,
    );
    await assert.rejects(
      calculator.execute({ expression: "constructor" }, noSearch),
      /Unknown identifier "constructor"/,
    );
    await assert.rejects(calculator.execute({ expression: "1;2" }, noSearch), /Unexpected character ";"/);
  });

  test("errors: over-long input and too-deep nesting", async () => {
    await assert.rejects(calculator.execute({ expression: `${"1+".repeat(300)}1` }, noSearch), /too long/);
    await assert.rejects(
      calculator.execute({ expression: `${"(".repeat(100)}1${")".repeat(100)}` }, noSearch),
      /nested too deeply/,
    );
    await assert.rejects(calculator.execute({ expression: `${"-".repeat(200)}1` }, noSearch), /nested too deeply/);
    await assert.rejects(
      calculator.execute({ expression: Array(150).fill("2").join("^") }, noSearch),
      /nested too deeply/,
    );
    // Moderate nesting and long flat chains are fine.
    assert.equal(await calc(`${"(".repeat(20)}1${")".repeat(20)}`), 1);
    assert.equal(await calc(Array(200).fill("1").join("+")), 200);
  });

  test("evaluateExpression is exported for direct use", () => {
    assert.equal(evaluateExpression("6 * 7"), 42);
    assert.throws(() => evaluateExpression("6 *"), /Unexpected end/);
  });
});

describe("findArithmeticExpression", () => {
  test("finds expressions embedded in natural language", () => {
    assert.equal(findArithmeticExpression("What is 12 * (3 + 4)?"), "12 * (3 + 4)");
    assert.equal(findArithmeticExpression("compute 2^10 please"), "2^10");
    assert.equal(findArithmeticExpression("what's 10/2?"), "10/2");
    assert.equal(findArithmeticExpression("Calculate -5 + 3."), "-5 + 3");
    assert.equal(findArithmeticExpression("is sqrt(16) an integer?"), "sqrt(16)");
    assert.equal(findArithmeticExpression("what is 3 x 4"), "3 x 4");
    assert.equal(findArithmeticExpression("12 ÷ 4 = ?"), "12 ÷ 4");
    assert.equal(findArithmeticExpression("Quick one: max(1, 2) + 3, thanks"), "max(1, 2) + 3");
    assert.equal(findArithmeticExpression("and 2 * pi?"), "2 * pi");
  });

  test("understands simple word operators and percentages", () => {
    assert.equal(findArithmeticExpression("what is 5 plus 3?"), "5 + 3");
    assert.equal(findArithmeticExpression("7 times 6"), "7 * 6");
    assert.equal(findArithmeticExpression("100 divided by 8"), "100 / 8");
    assert.equal(findArithmeticExpression("what is 15% of 200?"), "15 / 100 * 200");
    assert.equal(findArithmeticExpression("add 1,000 + 2,500"), "1000 + 2500");
  });

  test("returns null for text without an operator between two operands", () => {
    for (const text of [
      "",
      "Hello there!",
      "What is 42?",
      "I have 3 apples",
      "Meet me on 2026-12-01",
      "the deadline is 12/01/2026",
      "Call me at 555-123-4567",
      "my number is (555) 123-4567",
      "+1 555 123 4567",
      "555-1234",
      "COVID-19 statistics",
      "version 1.2.3 is out",
      "meet at 10:30",
      "the war lasted 1939-1945",
      "e.g. this one",
      "pi is irrational",
      "log in to my account",
      "-5",
      "timeline of the war",
      "top 10 movies",
      "I'm 3rd in line",
    ]) {
      assert.equal(findArithmeticExpression(text), null, `no expression in ${JSON.stringify(text)}`);
    }
  });

  test("every found expression evaluates with the calculator", async () => {
    for (const text of ["What is 12 * (3 + 4)?", "compute 2^10 please", "what is 5 plus 3?", "what is 15% of 200?"]) {
      const expr = findArithmeticExpression(text)!;
      assert.equal(typeof (await calc(expr)), "number");
    }
    assert.equal(await calc(findArithmeticExpression("What is 12 * (3 + 4)?")!), 84);
    assert.equal(await calc(findArithmeticExpression("what is 15% of 200?")!), 30);
  });
});

describe("current_time", () => {
  const fixed = new Date("2026-12-01T13:05:09.000Z");
  const ctx: ToolContext = { ...noSearch, now: () => fixed };

  test("defaults to UTC", async () => {
    const out = await currentTime.execute({}, ctx);
    assert.equal(out.timezone, "UTC");
    assert.equal(out.iso, "2026-12-01T13:05:09.000Z");
    assert.equal(out.unix_ms, fixed.getTime());
    assert.match(out.local, /Tuesday/);
    assert.match(out.local, /December 1, 2026/);
    assert.match(out.local, /13:05:09/);
    assert.equal(out.utc_offset, "+00:00");
  });

  test("honours an IANA time zone", async () => {
    const out = await currentTime.execute({ timezone: "Asia/Tokyo" }, ctx);
    assert.equal(out.timezone, "Asia/Tokyo");
    assert.equal(out.iso, "2026-12-01T13:05:09.000Z");
    assert.match(out.local, /Tuesday, December 1, 2026/);
    assert.match(out.local, /22:05:09/);
    assert.equal(out.utc_offset, "+09:00");

    const ny = await currentTime.execute({ timezone: "America/New_York" }, ctx);
    assert.match(ny.local, /08:05:09/);
    assert.equal(ny.utc_offset, "-05:00");
  });

  test("uses the real clock without an override", async () => {
    const before = Date.now();
    const out = await currentTime.execute({ timezone: "Europe/Paris" }, noSearch);
    assert.ok(out.unix_ms >= before && out.unix_ms <= Date.now());
    assert.equal(new Date(out.iso).getTime(), out.unix_ms);
  });

  test("invalid time zone throws a clear error", async () => {
    await assert.rejects(
      currentTime.execute({ timezone: "Mars/Olympus_Mons" }, ctx),
      /^Error: Unknown time zone: Mars\/Olympus_Mons$/,
    );
    await assert.rejects(currentTime.execute({ timezone: "not a zone" }, ctx), /Unknown time zone: not a zone/);
  });

  test("asksForDateOrTime", () => {
    for (const yes of [
      "what time is it",
      "What time is it?",
      "what's the date today?",
      "What is today's date?",
      "what day is it",
      "What day of the week is it?",
      "current time in Tokyo",
      "Tell me the time please",
      "what's the time in Europe/Paris?",
      "what year is it",
    ])
      assert.equal(asksForDateOrTime(yes), true, yes);
    for (const no of [
      "timeline of the war",
      "What is the time complexity of quicksort?",
      "What is the date of the French revolution?",
      "I have no time for this",
      "Give me a timetable for studying",
      "",
    ])
      assert.equal(asksForDateOrTime(no), false, no);
  });

  test("findTimeZone", () => {
    assert.equal(findTimeZone("current time in Tokyo"), "Asia/Tokyo");
    assert.equal(findTimeZone("what time is it in Europe/Paris?"), "Europe/Paris");
    assert.equal(findTimeZone("time in new york right now"), "America/New_York");
    assert.equal(findTimeZone("time in London"), "Europe/London");
    assert.equal(findTimeZone("what's the time in UTC"), "UTC");
    assert.equal(findTimeZone("what time is it"), undefined);
    assert.equal(findTimeZone("what time is it in Atlantis/Lost"), undefined);
  });
});

describe("session_search", () => {
  test("calls ctx.searchMessages with the query and the default limit", async () => {
    const calls: Array<[string, number]> = [];
    const hit = {
      id: 7,
      role: "user",
      agent: null,
      content: "my cat is called Miso",
      created_at: "2026-01-01T00:00:00.000Z",
    };
    const ctx: ToolContext = {
      async searchMessages(query, limit) {
        calls.push([query, limit]);
        return [hit];
      },
    };
    const out = await sessionSearch.execute({ query: "cat name" }, ctx);
    assert.deepEqual(calls, [["cat name", 5]]);
    assert.deepEqual(out, { query: "cat name", results: [hit] });

    await sessionSearch.execute({ query: "  Miso ", limit: 2 }, ctx);
    assert.deepEqual(calls[1], ["Miso", 2]);
  });

  test("validates input", async () => {
    const ctx: ToolContext = { searchMessages: async () => [] };
    await assert.rejects(sessionSearch.execute({ query: "" }, ctx), /Invalid session_search input/);
    await assert.rejects(sessionSearch.execute({ query: "x".repeat(201) }, ctx), /Invalid session_search input/);
    await assert.rejects(sessionSearch.execute({ query: "ok", limit: 21 }, ctx), /Invalid session_search input/);
    await assert.rejects(sessionSearch.execute({ query: "ok", limit: 1.5 }, ctx), /Invalid session_search input/);
  });

  test("propagates errors from the message store", async () => {
    const ctx: ToolContext = {
      searchMessages: async () => {
        throw new Error("database is locked");
      },
    };
    await assert.rejects(sessionSearch.execute({ query: "anything" }, ctx), /database is locked/);
  });
});

describe("summaries (a tool message's readable content)", () => {
  const fixed = new Date("2026-12-01T13:05:09.000Z");
  const hit = { id: 1, role: "user", agent: null, content: "a red bicycle", created_at: fixed.toISOString() };
  const ctx: ToolContext = { now: () => fixed, searchMessages: async (_query, limit) => Array(limit).fill(hit) };

  /** Run the tool as the engine does and summarize how the call ended. */
  async function line<I, O>(tool: BuiltinTool<I, O>, input: I): Promise<string> {
    let outcome: ToolOutcome<O>;
    try {
      outcome = { ok: true, output: await tool.execute(input, ctx) };
    } catch (e) {
      outcome = { ok: false, error: (e as Error).message };
    }
    return tool.summarize(input, outcome);
  }

  test("calculator: the expression and its result, or the error", async () => {
    assert.equal(await line(calculator, { expression: "12 * (3 + 4)" }), "calculator: 12 * (3 + 4) → 84");
    assert.equal(await line(calculator, { expression: " 0.1 + 0.2 " }), "calculator: 0.1 + 0.2 → 0.3");
    assert.equal(await line(calculator, { expression: "1/0" }), "calculator: 1/0 → error: Division by zero");
    assert.equal(await line(calculator, { expression: "" }), "calculator:  → error: Expression is empty");
  });

  test("current_time: the zone and its wall clock to the minute, with the weekday", async () => {
    assert.equal(
      await line(currentTime, { timezone: "Asia/Tokyo" }),
      "current_time: Asia/Tokyo → 2026-12-01 22:05 (Tuesday)",
    );
    assert.equal(await line(currentTime, {}), "current_time: UTC → 2026-12-01 13:05 (Tuesday)");
    assert.equal(
      await line(currentTime, { timezone: "America/New_York" }),
      "current_time: America/New_York → 2026-12-01 08:05 (Tuesday)",
    );
    assert.equal(
      await line(currentTime, { timezone: "Asia/Kolkata" }),
      "current_time: Asia/Kolkata → 2026-12-01 18:35 (Tuesday)",
    );
    assert.equal(
      await line(currentTime, { timezone: "Pacific/Auckland" }),
      "current_time: Pacific/Auckland → 2026-12-02 02:05 (Wednesday)",
      "past midnight there: the next day",
    );
    assert.equal(
      await line(currentTime, { timezone: "Mars/Olympus" }),
      "current_time: Mars/Olympus → error: Unknown time zone: Mars/Olympus",
    );
  });

  test("session_search: the quoted query and how many messages matched", async () => {
    assert.equal(await line(sessionSearch, { query: "bicycle", limit: 2 }), 'session_search: "bicycle" → 2 matches');
    assert.equal(await line(sessionSearch, { query: "bicycle", limit: 1 }), 'session_search: "bicycle" → 1 match');
    const none: ToolContext = { searchMessages: async () => [] };
    const output = await sessionSearch.execute({ query: "unicycle" }, none);
    assert.equal(
      sessionSearch.summarize({ query: "unicycle" }, { ok: true, output }),
      'session_search: "unicycle" → no matches',
    );
    assert.equal(
      sessionSearch.summarize({ query: "x" }, { ok: false, error: "database is locked" }),
      'session_search: "x" → error: database is locked',
    );
  });

  test("long inputs and errors stay within the bound, on one line, and keep the result in view", async () => {
    const long = `${Array(124).fill("1 +").join(" ")} 1`; // 497 characters: 125 ones
    const calc = await line(calculator, { expression: long });
    assert.ok(calc.length <= MAX_TOOL_SUMMARY_LENGTH, `${calc.length} characters`);
    assert.match(calc, /^calculator: 1 \+ 1 \+ .*… → 125$/);

    const unknown = await line(calculator, { expression: `${"x".repeat(300)} + 1` });
    assert.ok(unknown.length <= MAX_TOOL_SUMMARY_LENGTH, `${unknown.length} characters`);
    assert.match(unknown, /→ error: Unknown identifier .*…$/, "a long error is cut too");

    const query = `several\nlines\tand ${"words ".repeat(30)}`;
    const search = await line(sessionSearch, { query, limit: 3 });
    assert.ok(search.length <= MAX_TOOL_SUMMARY_LENGTH, `${search.length} characters`);
    assert.match(search, /^session_search: "several\\nlines\\tand words words .*… → 3 matches$/);
    assert.doesNotMatch(search, /[\n\t]/);
  });
});

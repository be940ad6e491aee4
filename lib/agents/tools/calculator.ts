/**
 * `calculator` built-in tool: a small, safe arithmetic evaluator.
 *
 * The expression is tokenized and parsed by a recursive-descent parser into a tiny AST,
 * which is then evaluated. Nothing is ever handed to `eval`/`Function`, and identifiers are
 * looked up in closed, prototype-free tables, so `constructor`, `process.exit()` and the like
 * are simply "unknown identifiers".
 *
 * Grammar (lowest to highest precedence):
 *   expression := additive
 *   additive   := multiplicative (("+" | "-") multiplicative)*
 *   multiplicative := unary (("*" | "/" | "%") unary)*
 *   unary      := ("+" | "-") unary | power
 *   power      := primary ("^" unary)?          // right-associative; -2^2 = -4, 2^-1 = 0.5
 *   primary    := number | constant | function "(" args ")" | "(" expression ")"
 */
import { z } from "zod";
import { trimEndWhile, trimStartWhile } from "@/lib/text";
import { summaryLine } from "./summary";
import type { BuiltinTool } from "./types";

export const MAX_EXPRESSION_LENGTH = 500;
export const MAX_NESTING_DEPTH = 64;

type Node =
  | { type: "num"; value: number }
  | { type: "const"; name: string }
  | { type: "neg"; operand: Node }
  | { type: "bin"; op: "+" | "-" | "*" | "/" | "%" | "^"; left: Node; right: Node }
  | { type: "call"; name: string; args: Node[] };

type Token =
  | { kind: "num"; value: number; text: string; pos: number }
  | { kind: "ident"; name: string; pos: number }
  | { kind: "op"; op: "+" | "-" | "*" | "/" | "%" | "^"; pos: number }
  | { kind: "lparen" | "rparen" | "comma"; pos: number }
  | { kind: "end"; pos: number };

const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ["pi", Math.PI],
  ["π", Math.PI],
  ["e", Math.E],
]);

interface FnSpec {
  minArgs: number;
  maxArgs: number;
  fn: (...args: number[]) => number;
}

const FUNCTIONS: ReadonlyMap<string, FnSpec> = new Map<string, FnSpec>([
  [
    "sqrt",
    {
      minArgs: 1,
      maxArgs: 1,
      fn: (x) => {
        if (x < 0) throw new Error("sqrt of a negative number is not a real number");
        return Math.sqrt(x);
      },
    },
  ],
  ["abs", { minArgs: 1, maxArgs: 1, fn: Math.abs }],
  ["round", { minArgs: 1, maxArgs: 1, fn: Math.round }],
  ["floor", { minArgs: 1, maxArgs: 1, fn: Math.floor }],
  ["ceil", { minArgs: 1, maxArgs: 1, fn: Math.ceil }],
  ["min", { minArgs: 1, maxArgs: 100, fn: Math.min }],
  ["max", { minArgs: 1, maxArgs: 100, fn: Math.max }],
  // log(x) is base 10; log(x, b) is base b.
  [
    "log",
    {
      minArgs: 1,
      maxArgs: 2,
      fn: (x, b) => {
        if (x <= 0) throw new Error("log is only defined for positive numbers");
        if (b === undefined) return Math.log10(x);
        if (b <= 0 || b === 1) throw new Error("log base must be positive and not 1");
        return Math.log(x) / Math.log(b);
      },
    },
  ],
  [
    "ln",
    {
      minArgs: 1,
      maxArgs: 1,
      fn: (x) => {
        if (x <= 0) throw new Error("ln is only defined for positive numbers");
        return Math.log(x);
      },
    },
  ],
  ["exp", { minArgs: 1, maxArgs: 1, fn: Math.exp }],
  ["sin", { minArgs: 1, maxArgs: 1, fn: Math.sin }],
  ["cos", { minArgs: 1, maxArgs: 1, fn: Math.cos }],
  ["tan", { minArgs: 1, maxArgs: 1, fn: Math.tan }],
]);

/** Names the calculator understands (functions and constants), lower-case. */
export const CALCULATOR_NAMES: ReadonlySet<string> = new Set([...FUNCTIONS.keys(), ...CONSTANTS.keys()]);

const NUMBER_RE = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENT_RE = /^[A-Za-z_π][A-Za-z0-9_]*/;

function describe(tok: Token): string {
  switch (tok.kind) {
    case "num":
      return `number ${tok.text}`;
    case "ident":
      return `"${tok.name}"`;
    case "op":
      return `"${tok.op}"`;
    case "lparen":
      return `"("`;
    case "rparen":
      return `")"`;
    case "comma":
      return `","`;
    case "end":
      return "end of expression";
  }
}

function unknownIdentifier(name: string): Error {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return new Error(`Unknown identifier "${shown}" (supported: ${[...FUNCTIONS.keys()].join(", ")}, pi, e)`);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const endsOperand = () => {
    const prev = tokens[tokens.length - 1];
    return (
      !!prev && (prev.kind === "num" || prev.kind === "rparen" || (prev.kind === "ident" && CONSTANTS.has(prev.name)))
    );
  };
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const num = NUMBER_RE.exec(rest);
    if (num) {
      const value = Number(num[0]);
      tokens.push({ kind: "num", value, text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    // "x" / "X" between operands is multiplication ("3 x 4", "3x4").
    if ((ch === "x" || ch === "X") && endsOperand() && !/^[xX][A-Za-z_]/.test(rest)) {
      tokens.push({ kind: "op", op: "*", pos: i });
      i++;
      continue;
    }
    const ident = IDENT_RE.exec(rest);
    if (ident) {
      const name = ident[0].toLowerCase();
      if (!FUNCTIONS.has(name) && !CONSTANTS.has(name)) throw unknownIdentifier(name);
      tokens.push({ kind: "ident", name, pos: i });
      i += ident[0].length;
      continue;
    }
    if (rest.startsWith("**")) {
      tokens.push({ kind: "op", op: "^", pos: i });
      i += 2;
      continue;
    }
    switch (ch) {
      case "+":
        tokens.push({ kind: "op", op: "+", pos: i });
        break;
      case "-":
      case "−":
      case "–":
        tokens.push({ kind: "op", op: "-", pos: i });
        break;
      case "*":
      case "×":
      case "·":
        tokens.push({ kind: "op", op: "*", pos: i });
        break;
      case "/":
      case "÷":
        tokens.push({ kind: "op", op: "/", pos: i });
        break;
      case "%":
        tokens.push({ kind: "op", op: "%", pos: i });
        break;
      case "^":
        tokens.push({ kind: "op", op: "^", pos: i });
        break;
      case "(":
        tokens.push({ kind: "lparen", pos: i });
        break;
      case ")":
        tokens.push({ kind: "rparen", pos: i });
        break;
      case ",":
        tokens.push({ kind: "comma", pos: i });
        break;
      default:
        throw new Error(`Unexpected character "${ch}" at position ${i + 1}`);
    }
    i++;
  }
  tokens.push({ kind: "end", pos: src.length });
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }
  private next(): Token {
    return this.tokens[this.i++];
  }

  private enter() {
    if (++this.depth > MAX_NESTING_DEPTH)
      throw new Error(`Expression is nested too deeply (max ${MAX_NESTING_DEPTH} levels)`);
  }
  private leave() {
    this.depth--;
  }

  parse(): Node {
    if (this.peek().kind === "end") throw new Error("Expression is empty");
    const node = this.additive();
    const tok = this.peek();
    if (tok.kind !== "end") {
      if (tok.kind === "rparen") throw new Error(`Unmatched ")" at position ${tok.pos + 1}`);
      throw new Error(`Unexpected ${describe(tok)} at position ${tok.pos + 1}`);
    }
    return node;
  }

  private additive(): Node {
    let left = this.multiplicative();
    for (;;) {
      const tok = this.peek();
      if (tok.kind === "op" && (tok.op === "+" || tok.op === "-")) {
        this.next();
        left = { type: "bin", op: tok.op, left, right: this.multiplicative() };
      } else return left;
    }
  }

  private multiplicative(): Node {
    let left = this.unary();
    for (;;) {
      const tok = this.peek();
      if (tok.kind === "op" && (tok.op === "*" || tok.op === "/" || tok.op === "%")) {
        this.next();
        left = { type: "bin", op: tok.op, left, right: this.unary() };
      } else return left;
    }
  }

  private unary(): Node {
    const tok = this.peek();
    if (tok.kind === "op" && (tok.op === "-" || tok.op === "+")) {
      this.next();
      this.enter();
      try {
        const operand = this.unary();
        return tok.op === "-" ? { type: "neg", operand } : operand;
      } finally {
        this.leave();
      }
    }
    return this.power();
  }

  private power(): Node {
    const base = this.primary();
    const tok = this.peek();
    if (tok.kind === "op" && tok.op === "^") {
      this.next();
      this.enter();
      try {
        return { type: "bin", op: "^", left: base, right: this.unary() };
      } finally {
        this.leave();
      }
    }
    return base;
  }

  private primary(): Node {
    const tok = this.next();
    switch (tok.kind) {
      case "num":
        if (!Number.isFinite(tok.value)) throw new Error(`Number ${tok.text} is too large`);
        return { type: "num", value: tok.value };
      case "lparen": {
        this.enter();
        try {
          if (this.peek().kind === "rparen") throw new Error(`Empty parentheses at position ${tok.pos + 1}`);
          const inner = this.additive();
          this.expect("rparen", `Missing ")" for "(" at position ${tok.pos + 1}`);
          return inner;
        } finally {
          this.leave();
        }
      }
      case "ident": {
        if (FUNCTIONS.has(tok.name)) {
          const spec = FUNCTIONS.get(tok.name)!;
          if (this.peek().kind !== "lparen")
            throw new Error(`Function ${tok.name} must be called with parentheses, e.g. ${tok.name}(2)`);
          const open = this.next();
          this.enter();
          try {
            const args: Node[] = [];
            if (this.peek().kind !== "rparen") {
              args.push(this.additive());
              while (this.peek().kind === "comma") {
                this.next();
                args.push(this.additive());
              }
            }
            this.expect("rparen", `Missing ")" for ${tok.name}( at position ${open.pos + 1}`);
            if (args.length < spec.minArgs || args.length > spec.maxArgs) {
              const expected = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
              throw new Error(
                `Function ${tok.name} expects ${expected} argument${spec.maxArgs === 1 ? "" : "s"}, got ${args.length}`,
              );
            }
            return { type: "call", name: tok.name, args };
          } finally {
            this.leave();
          }
        }
        if (CONSTANTS.has(tok.name)) return { type: "const", name: tok.name };
        throw unknownIdentifier(tok.name);
      }
      case "end":
        throw new Error("Unexpected end of expression");
      default:
        throw new Error(`Unexpected ${describe(tok)} at position ${tok.pos + 1}`);
    }
  }

  private expect(kind: Token["kind"], message: string) {
    const tok = this.next();
    if (tok.kind !== kind) throw new Error(message);
  }
}

function evaluate(node: Node): number {
  switch (node.type) {
    case "num":
      return node.value;
    case "const":
      return CONSTANTS.get(node.name)!;
    case "neg":
      return -evaluate(node.operand);
    case "call":
      return FUNCTIONS.get(node.name)!.fn(...node.args.map(evaluate));
    case "bin": {
      const a = evaluate(node.left);
      const b = evaluate(node.right);
      switch (node.op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          if (b === 0) throw new Error("Division by zero");
          return a / b;
        case "%":
          if (b === 0) throw new Error("Division by zero (modulo by 0)");
          return a % b;
        case "^":
          return a ** b;
      }
    }
  }
}

function checkInput(expression: unknown): string {
  if (typeof expression !== "string") throw new Error("Expression must be a string");
  if (expression.length > MAX_EXPRESSION_LENGTH)
    throw new Error(`Expression is too long (max ${MAX_EXPRESSION_LENGTH} characters)`);
  const trimmed = expression.trim();
  if (!trimmed) throw new Error("Expression is empty");
  return trimmed;
}

function parseExpression(expression: string): Node {
  return new Parser(tokenize(expression)).parse();
}

/** Tidy floating-point noise such as 0.1 + 0.2 = 0.30000000000000004. */
function tidy(x: number): number {
  if (Number.isInteger(x)) return x === 0 ? 0 : x; // also turns -0 into 0
  const t = Number(x.toPrecision(15));
  return t === 0 ? 0 : t;
}

/** Evaluate an arithmetic expression safely. Throws an Error with a readable message on failure. */
export function evaluateExpression(expression: string): number {
  const src = checkInput(expression);
  const value = evaluate(parseExpression(src));
  if (Number.isNaN(value)) throw new Error("Result is not a number (undefined operation)");
  if (!Number.isFinite(value)) throw new Error("Result is not finite (overflow or infinity)");
  return tidy(value);
}

function isCompound(node: Node): boolean {
  return node.type === "bin" || node.type === "call" || (node.type === "neg" && isCompound(node.operand));
}

const WORD_OPERATORS: Array<[RegExp, string]> = [
  [/\bmultiplied\s+by\b/gi, "*"],
  [/\bdivided\s+by\b/gi, "/"],
  [/\bto\s+the\s+power\s+of\b/gi, "^"],
  [/\btimes\b/gi, "*"],
  [/\bplus\b/gi, "+"],
  [/\bminus\b/gi, "-"],
  [/\bmod(?:ulo)?\b/gi, "%"],
];

const RUN_CHARS = /[0-9.\s+\-−–*×·/÷%^(),]/;
const SPACE = /\s/;

/**
 * Split text into maximal runs of characters (and known function/constant names) that could form an expression.
 * Every step looks at a bounded stretch of text ahead and none re-reads the run built so far, so the scan
 * stays linear however the text repeats (long runs of spaces once made an anchored-at-end regex here
 * backtrack quadratically on every word).
 */
function candidateRuns(text: string): string[] {
  const runs: string[] = [];
  let cur = "";
  let last = ""; // the last non-space character of `cur`
  let i = 0;
  const append = (s: string) => {
    cur += s;
    for (let j = s.length - 1; j >= 0; j--)
      if (!SPACE.test(s[j])) {
        last = s[j];
        break;
      }
  };
  const flush = () => {
    if (cur.trim()) runs.push(cur);
    cur = "";
    last = "";
  };
  while (i < text.length) {
    const rest = text.slice(i);
    const num = NUMBER_RE.exec(rest);
    if (num && /[0-9.]/.test(text[i])) {
      // A number glued to letters ("3rd", "10am", "COVID19x") is not arithmetic.
      const after = rest.slice(num[0].length);
      if (/^[A-WYZa-wyz_]/.test(after) && !/^(?:pi|e)\b/i.test(after)) {
        flush();
        const m = /^[A-Za-z0-9_]+/.exec(after)!;
        i += num[0].length + m[0].length;
        continue;
      }
      append(num[0]);
      i += num[0].length;
      continue;
    }
    // "3x4" / "3 x (1 + 2)": a lone x between operands is multiplication.
    if (
      (text[i] === "x" || text[i] === "X") &&
      /[0-9)]/.test(last) &&
      /[0-9(.]/.test(text.charAt(skipSpaces(text, i + 1))) &&
      !/^[xX][A-Za-z_]/.test(rest)
    ) {
      append(text[i]);
      i++;
      continue;
    }
    const word = /^[A-Za-zπ_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      const w = word[0];
      const lower = w.toLowerCase();
      const nextCh = text.charAt(skipSpaces(text, i + w.length));
      if (FUNCTIONS.has(lower) && nextCh === "(") {
        append(w);
      } else if (CONSTANTS.has(lower) && (/[0-9)+\-*/%^(×÷−,]/.test(last) || /[+\-*/%^)×÷−,]/.test(nextCh))) {
        append(w);
      } else {
        flush();
      }
      i += w.length;
      continue;
    }
    if (RUN_CHARS.test(text[i])) {
      append(text[i]);
    } else {
      flush();
    }
    i++;
  }
  flush();
  return runs;
}

/** The index of the first non-space character of `text` at or after `from` (text.length if none). */
function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && SPACE.test(text[i])) i++;
  return i;
}

// Characters an expression cannot start with, and cannot end with.
const LEADING_JUNK = /[,.\s*/%^×÷)]/;
const TRAILING_JUNK = /[,.\s+\-−–*/%^×÷(]/;

function balanceAndTrim(run: string): string {
  let s = run.trim();
  for (let guard = 0; guard < 20; guard++) {
    const before = s;
    s = trimEndWhile(trimStartWhile(s, LEADING_JUNK), TRAILING_JUNK);
    const opens = (s.match(/\(/g) ?? []).length;
    const closes = (s.match(/\)/g) ?? []).length;
    if (closes > opens && s.endsWith(")")) s = s.slice(0, -1);
    else if (opens > closes && s.startsWith("(")) s = s.slice(1);
    if (s === before) break;
  }
  return s.trim();
}

function looksLikeDateOrPhone(s: string): boolean {
  const compact = s.replace(/\s+/g, " ").trim();
  // ISO-ish dates, slash dates with a 4-digit year, dotted dates.
  if (/^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$/.test(compact)) return true;
  if (/^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$/.test(compact)) return true;
  // Digit groups joined by hyphens without spaces, two or more hyphens: phone numbers, ISBNs, serials.
  if (/^\+?\(?\d+\)?(?:-\d+){2,}$/.test(compact)) return true;
  // Phone numbers like "(555) 123-4567" or "+1 555-123-4567".
  if (/^\+?\d{0,3}\s?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}$/.test(compact)) return true;
  if (/^\d{3}-\d{4}$/.test(compact)) return true;
  // Year ranges like 1939-1945.
  const range = /^(\d{4})-(\d{4})$/.exec(compact);
  if (range && +range[1] >= 1000 && +range[1] <= 2999 && +range[2] >= 1000 && +range[2] <= 2999) return true;
  return false;
}

function normalizeThousands(s: string): string {
  return s.replace(/\b\d{1,3}(?:,\d{3})+(?![\d,])/g, (m) => m.replace(/,/g, ""));
}

/**
 * Find an arithmetic expression embedded in natural language.
 * "What is 12 * (3 + 4)?" → "12 * (3 + 4)"; "compute 2^10 please" → "2^10".
 * A lone number, a date (2026-12-01) or a phone number is not an expression: at least one operator
 * between two operands (or a function call such as sqrt(2)) is required. Returns null otherwise.
 */
export function findArithmeticExpression(text: string): string | null {
  if (typeof text !== "string" || !text.trim()) return null;
  let source = text.length > 4000 ? text.slice(0, 4000) : text;
  // "15% of 200" → "15 / 100 * 200"
  // (Starting only where a number starts keeps this linear on long digit runs.)
  source = source.replace(/(?<!\d)(\d+(?:\.\d+)?)\s*%\s+of\s+(\d+(?:\.\d+)?)/gi, "$1 / 100 * $2");
  // Word operators only between numbers ("5 plus 3", "7 times 6").
  for (const [re, sym] of WORD_OPERATORS) {
    source = source.replace(
      new RegExp(String.raw`(\d|\))(\s*)` + re.source + String.raw`(\s*)(?=[\d(\-])`, "gi"),
      `$1$2${sym}$3`,
    );
  }
  for (const run of candidateRuns(source)) {
    const trimmed = balanceAndTrim(run);
    if (!trimmed || trimmed.length > MAX_EXPRESSION_LENGTH) continue;
    if (looksLikeDateOrPhone(trimmed)) continue;
    for (const candidate of trimmed.includes(",") ? [trimmed, normalizeThousands(trimmed)] : [trimmed]) {
      try {
        const ast = parseExpression(candidate);
        if (isCompound(ast)) return candidate;
      } catch {
        // not an expression; try the next candidate
      }
    }
  }
  return null;
}

export const calculatorInputSchema = z.object({
  expression: z
    .string()
    .min(1)
    .max(MAX_EXPRESSION_LENGTH)
    .describe(
      'Arithmetic expression, e.g. "12 * (3 + 4)" or "sqrt(2) ^ 2". Supports + - * / % ^, parentheses, sqrt, abs, round, floor, ceil, min, max, log, ln, exp, sin, cos, tan, pi, e.',
    ),
});

export type CalculatorInput = z.infer<typeof calculatorInputSchema>;
export interface CalculatorOutput {
  expression: string;
  result: number;
}

export const calculatorTool: BuiltinTool<CalculatorInput, CalculatorOutput> = {
  name: "calculator",
  description:
    "Evaluate an arithmetic expression exactly. Use it for any calculation instead of doing math in your head. " +
    "Supports + - * / % ^ (power), parentheses, decimals, scientific notation, and the functions sqrt, abs, round, floor, ceil, min, max, log (base 10, or log(x, base)), ln, exp, sin, cos, tan and the constants pi and e.",
  inputSchema: calculatorInputSchema,
  async execute(input) {
    const raw = (input as { expression?: unknown } | null | undefined)?.expression;
    const expression = checkInput(raw);
    return { expression, result: evaluateExpression(expression) };
  },
  summarize(input, outcome) {
    const expression = typeof input?.expression === "string" ? input.expression : "";
    return summaryLine("calculator", expression, outcome, (output) => String(output.result));
  },
};

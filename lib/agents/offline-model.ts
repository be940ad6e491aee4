/**
 * Offline deterministic language model (AI SDK provider spec v4).
 *
 * Used whenever no OPENAI_API_KEY is set, so Tandem's agents still collaborate offline and tests
 * are deterministic: the same prompt always produces the same output.
 *
 * Prompt conventions (the engine builds prompts this way):
 * - `system` message: the agent's system prompt.
 * - human message: a `user` message WITHOUT `providerOptions.tandem`.
 * - an earlier agent's turn in this run: a `user` message WITH
 *   `providerOptions: { tandem: { agent: "<name>", role: "<role>" } }` whose text is
 *   "<name> (<role>) wrote:\n<notes>".
 * - the agent's own earlier turns (incl. tool calls): `assistant` messages; tool results: `tool` messages.
 *
 * The request is the last human message; colleague notes are the tandem-tagged user messages after it.
 * - No colleague notes → researcher mode: call `calculator` / `current_time` / `session_search` when the
 *   request needs them and they are offered (one step, possibly several calls), otherwise (or once tool
 *   results are in the prompt) write research notes.
 * - Colleague notes present → writer mode: compose the answer from the notes. Offered `ask_<teammate>`
 *   tools (consult), it first asks the first teammate one question, then writes with the answer as a note.
 * - A process's tagged messages (./process-messages.ts): a teammate's question is the request; a
 *   revision request makes the writer revise (it adds the summary line the offline reviewer asks for).
 * - Reviewer (its system prompt says so) offered `submit_verdict`: requests changes in its first round
 *   and approves from its second (the rounds are its own earlier turns after the request), writing the
 *   verdict as text and giving it through the tool in the same step.
 */
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4Message,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4ToolResultOutput,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { trimEndWhile } from "@/lib/text";
import { readColleagueNote } from "./colleague-note";
import { askTool, type RevisionRequest, readProcessMessage, VERDICT_TOOL } from "./process-messages";
import { asksForDateOrTime, findArithmeticExpression, findTimeZone } from "./tools/index";

export interface OfflineModelOptions {
  /** Pause between streamed chunks in milliseconds (default 0). */
  delayMs?: number;
  /** Model id reported to the AI SDK (default "tandem-offline"). */
  modelId?: string;
}

export const OFFLINE_PROVIDER = "tandem.offline";

// ---------------------------------------------------------------------------------------------
// Prompt analysis
// ---------------------------------------------------------------------------------------------

interface ColleagueNote {
  agent: string;
  role: string | null;
  text: string;
}

interface ToolOutcome {
  toolName: string;
  input: unknown;
  ok: boolean;
  value: unknown;
  error?: string;
}

interface PromptAnalysis {
  system: string;
  request: string;
  hasRequest: boolean;
  previousRequest: string | null;
  notes: ColleagueNote[];
  toolOutcomes: ToolOutcome[];
  toolActivityAfterRequest: boolean;
  /** A revision request after the request (review). */
  revision: RevisionRequest | null;
  /** The agent's own text turns after the request: its earlier rounds. */
  ownTurnsAfterRequest: number;
}

/** The colleague who wrote a tagged note, named for the notes' headings; null for the person's own message. */
function colleagueOf(message: LanguageModelV4Message): { agent: string; role: string | null; text: string } | null {
  const note = readColleagueNote(message.providerOptions, userText(message));
  if (!note) return null;
  return { agent: note.agent.trim() || "colleague", role: note.role.trim() || null, text: note.text.trim() };
}

function userText(message: LanguageModelV4Message): string {
  if (message.role !== "user") return "";
  const tagged = readProcessMessage(message.providerOptions);
  // A teammate's question is read as the question alone, without the words around it.
  if (tagged && "question" in tagged) return tagged.question.question.trim();
  return message.content
    .map((part) => (part.type === "text" ? part.text : `[attachment: ${part.filename ?? part.mediaType}]`))
    .join("\n")
    .trim();
}

function readToolOutput(output: LanguageModelV4ToolResultOutput): { ok: boolean; value: unknown; error?: string } {
  switch (output.type) {
    case "text":
      return { ok: true, value: output.value };
    case "json": {
      const v = output.value as unknown;
      if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as Record<string, unknown>).error === "string") {
        return { ok: false, value: v, error: (v as Record<string, string>).error };
      }
      return { ok: true, value: v };
    }
    case "error-text":
      return { ok: false, value: output.value, error: output.value };
    case "error-json": {
      const v = output.value as unknown;
      const msg =
        v && typeof v === "object" && typeof (v as Record<string, unknown>).message === "string"
          ? (v as Record<string, string>).message
          : v && typeof v === "object" && typeof (v as Record<string, unknown>).error === "string"
            ? (v as Record<string, string>).error
            : JSON.stringify(v);
      return { ok: false, value: v, error: msg };
    }
    case "execution-denied":
      return {
        ok: false,
        value: null,
        error: output.reason ? `execution denied: ${output.reason}` : "execution denied",
      };
    case "content":
      return { ok: true, value: output.value.map((p) => (p.type === "text" ? p.text : `[${p.type}]`)).join("\n") };
  }
}

function analyzePrompt(prompt: LanguageModelV4Prompt): PromptAnalysis {
  const messages = Array.isArray(prompt) ? prompt : [];
  const system = messages
    .filter((m): m is Extract<LanguageModelV4Message, { role: "system" }> => m.role === "system")
    .map((m) => m.content)
    .join("\n\n");

  const humanIdx: number[] = [];
  let revision: RevisionRequest | null = null;
  messages.forEach((m, i) => {
    const tagged = m.role === "user" ? readProcessMessage(m.providerOptions) : null;
    if (tagged && "revision" in tagged) revision = tagged.revision;
    else if (m.role === "user" && !colleagueOf(m)) humanIdx.push(i);
  });
  let requestIndex = humanIdx.length ? humanIdx[humanIdx.length - 1] : -1;
  const hasRequest = requestIndex >= 0;
  const request = hasRequest ? userText(messages[requestIndex]) : "";
  const previousRequest = humanIdx.length > 1 ? userText(messages[humanIdx[humanIdx.length - 2]]) : null;
  if (!hasRequest) requestIndex = -1;

  const notes: ColleagueNote[] = [];
  const calls = new Map<string, { toolName: string; input: unknown }>();
  const toolOutcomes: ToolOutcome[] = [];
  let toolActivityAfterRequest = false;
  let ownTurnsAfterRequest = 0;

  for (let i = requestIndex + 1; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === "user") {
      const note = colleagueOf(m);
      if (note) notes.push(note);
    } else if (m.role === "assistant") {
      if (m.content.some((part) => part.type === "text" && part.text.trim())) ownTurnsAfterRequest++;
      for (const part of m.content) {
        if (part.type === "tool-call") {
          toolActivityAfterRequest = true;
          calls.set(part.toolCallId, { toolName: part.toolName, input: part.input });
        } else if (part.type === "tool-result") {
          toolActivityAfterRequest = true;
          toolOutcomes.push({
            toolName: part.toolName,
            input: calls.get(part.toolCallId)?.input,
            ...readToolOutput(part.output),
          });
        }
      }
    } else if (m.role === "tool") {
      for (const part of m.content) {
        if (part.type !== "tool-result") continue;
        toolActivityAfterRequest = true;
        const call = calls.get(part.toolCallId);
        toolOutcomes.push({
          toolName: part.toolName ?? call?.toolName,
          input: call?.input,
          ...readToolOutput(part.output),
        });
      }
    }
  }

  return {
    system,
    request,
    hasRequest,
    previousRequest,
    notes,
    toolOutcomes,
    toolActivityAfterRequest,
    revision,
    ownTurnsAfterRequest,
  };
}

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

const STOP_WORDS = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being below between both but by " +
    "can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from further get gets getting give " +
    "go going got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's " +
    "i i'd i'll i'm i've if in into is isn't it it's its itself just know let let's like make me more most much must mustn't my myself " +
    "need no nor not now of off on once only or other ought our ours ourselves out over own please really same say she she'd she'll " +
    "she's should shouldn't so some something such tell than thank thanks that that's the their theirs them themselves then there " +
    "there's these they they'd they'll they're they've thing things think this those through to too under until up us use used using " +
    "very want was wasn't way we we'd we'll we're we've well were weren't what what's whats when when's where where's which while who " +
    "who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves " +
    "explain describe define compare list show help one two many lot lots kind sort maybe quite able anyone someone everything anything " +
    "hi hello hey ok okay yes yeah compute calculate work works working does vs versus difference differences between better best " +
    "set start started find learn understand mean means try trying look looking"
  ).split(/\s+/),
);

/** Meaningful words of the text, in order of first appearance, deduplicated, stop-words removed. */
export function extractKeyTerms(text: string, max = 8): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const words = text.slice(0, 4000).match(/[A-Za-z][A-Za-z0-9+#._'’-]*|\d{4}/g) ?? [];
  for (let raw of words) {
    raw = trimEndWhile(raw.replace(/['’]s$/i, ""), /[._'’-]/);
    const lower = raw.toLowerCase().replace(/’/g, "'");
    if ((raw.length < 2 && !/[+#]/.test(raw)) || raw.length > 40) continue;
    if (STOP_WORDS.has(lower)) continue;
    if (
      lower === "x" ||
      (/^(?:sqrt|abs|round|floor|ceil|min|max|log|ln|exp|sin|cos|tan|pi)$/.test(lower) && /\d/.test(text))
    )
      continue;
    if (seen.has(lower)) continue;
    seen.add(lower);
    out.push(raw);
    if (out.length >= max) break;
  }
  return out;
}

function collapse(text: string, max: number): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t;
}

/**
 * Whitespace runs as one space, or one line break when they hold one: after this no `\s+` in a
 * pattern has a long run to backtrack over.
 */
function squeezeSpace(text: string): string {
  return text.replace(/\s+/g, (run) => (/[\n\r\u2028\u2029]/.test(run) ? "\n" : " "));
}

function capitalize(s: string): string {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

function formatNumber(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
  return String(value);
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

// ---------------------------------------------------------------------------------------------
// Question classification
// ---------------------------------------------------------------------------------------------

type QuestionKind =
  | "empty"
  | "greeting"
  | "calculation"
  | "date-time"
  | "recall"
  | "comparison"
  | "how-to"
  | "mechanism"
  | "why"
  | "list"
  | "definition"
  | "when-where-who"
  | "yes-no"
  | "task"
  | "general";

interface Classification {
  kind: QuestionKind;
  label: string;
  subjects: string[];
}

/** How much of a request classify() reads: its kind shows in the opening, and its patterns need not run over 32,000 characters. */
const CLASSIFY_CHARS = 2000;

const RECALL_RE =
  /\b(?:earlier|previously|last time|we (?:talked|discussed|spoke|said)|did i (?:say|mention|tell|ask)|remind me (?:what|of)|you (?:said|mentioned|told me)|i (?:said|mentioned|told you|asked))\b/i;

/** Strip filler such as "please", "can you tell me", "tell me about" (→ "what is "). Keeps the user's capitalisation. */
function stripLeadInKeepCase(text: string): string {
  let t = text.trim();
  for (let i = 0; i < 3; i++) {
    const before = t;
    t = t.replace(/^(?:please|so|ok|okay|hey|hi|hello|well|um|quick question|question)[,!:.\s]+/i, "");
    t = t.replace(
      /^(?:can|could|would|will) you (?:please )?(?:tell me|show me|help me(?: understand)?|let me know)\s*/i,
      "",
    );
    t = t.replace(/^(?:i (?:want|would like|need) to know|i wonder|i'm wondering|i am wondering|do you know)\s*/i, "");
    t = t.replace(/^(?:tell me|talk|teach me|what do you know) about\s+/i, "what is ");
    if (t === before) break;
  }
  return t;
}

function stripLeadIn(text: string): string {
  return stripLeadInKeepCase(text).toLowerCase();
}

/** The phrase after the question words, e.g. "How do I brew coffee?" → "brew coffee". */
function subjectAfter(re: RegExp, text: string): string | null {
  const m = re.exec(trimEndWhile(text.trim(), /[?.!]/));
  if (!m) return null;
  const subject = (m[1] + (m[2] ?? ""))
    .replace(/^(?:the|a|an)\s+/i, "")
    .replace(/\s+(?:please|for me|exactly|actually)$/i, "")
    .trim();
  return subject ? collapse(subject, 60) : null;
}

function classify(request: string, hasExpression: boolean): Classification {
  const text = squeezeSpace(request.slice(0, CLASSIFY_CHARS)).trim();
  if (!text) return { kind: "empty", label: "empty message", subjects: [] };
  const lower = stripLeadIn(text);
  const cmp =
    // Subjects are bounded: every failed "and" would otherwise rescan the rest of the line.
    /(?:difference|differences)\s+between\s+(.{1,200}?)\s+and\s+(.{1,200}?)(?:[?.!]|$)/i.exec(text) ??
    /\bcompare\s+(.{1,200}?)\s+(?:and|with|to|vs\.?|versus)\s+(.{1,200}?)(?:[?.!]|$)/i.exec(text) ??
    /([\w.+#\- ]{1,40}?)\s+(?:vs\.?|versus)\s+([\w.+#\- ]{1,40}?)(?:[?.!,]|$)/i.exec(text) ??
    /\b(?:should i|do i|would you)\s+(?:learn|use|pick|choose|get|buy|try|go with|start with)\s+([\w.+#\- ]{1,40}?)\s+or\s+([\w.+#\- ]{1,40}?)(?:[?.!,]|$)/i.exec(
      text,
    ) ??
    /\b(?:which is better|what is better|what's better)[,:]?\s+([\w.+#\- ]{1,40}?)\s+or\s+([\w.+#\- ]{1,40}?)(?:[?.!,]|$)/i.exec(
      text,
    );
  if (
    /^(?:hi|hello|hey|howdy|good (?:morning|afternoon|evening)|thanks|thank you|greetings)\b(?:[\s!.,]*there)?[\s!.,]*$/i.test(
      text,
    )
  )
    return { kind: "greeting", label: "greeting / small talk", subjects: [] };
  if (hasExpression) return { kind: "calculation", label: "calculation", subjects: [] };
  if (asksForDateOrTime(text)) return { kind: "date-time", label: "current date/time", subjects: [] };
  if (RECALL_RE.test(text)) return { kind: "recall", label: "recall of earlier conversation", subjects: [] };
  if (cmp) {
    const subjects = [cmp[1], cmp[2]].map((s) =>
      collapse(
        s
          .replace(/^(?:the|a|an)\s+/i, "")
          .replace(/\s+(?:first|for|in|when|on|at|regarding|if|to)(?:\s.*)?$/i, "")
          .trim(),
        40,
      ),
    );
    if (subjects.every(Boolean)) return { kind: "comparison", label: "comparison", subjects };
  }
  const original = stripLeadInKeepCase(text); // same as `lower`, with the user's capitalisation
  const one = (re: RegExp) => {
    const s = subjectAfter(new RegExp(re.source, "i"), original);
    return s ? [s] : [];
  };
  if (/^how (?:does|do|is|are)\b/.test(lower) && !/^how (?:do|does) (?:i|we|you|one)\b/.test(lower))
    return {
      kind: "mechanism",
      label: "how it works / explanation",
      subjects: one(/^how (?:does|do|is|are)\s+(.+?)(?:\s+work(?:s|ing)?)?(\s+(?:in|on|for|with)\s.+)?$/),
    };
  if (/^how\b/.test(lower) || /\bhow (?:do|can|should|to)\b/.test(lower) || /^(?:steps|guide)\b/.test(lower))
    return {
      kind: "how-to",
      label: "how-to / process",
      subjects: one(/\bhow (?:do|can|should|would|could) (?:i|we|you|one)\s+(.+)$|\bhow to\s+(.+)$/),
    };
  if (/^why\b/.test(lower) || /\bwhat (?:causes|caused)\b/.test(lower) || /\breasons? (?:for|why)\b/.test(lower))
    return { kind: "why", label: "why / explanation of causes", subjects: [] };
  if (
    /^(?:list|name|enumerate|give me)\b/.test(lower) ||
    /\b(?:top \d+|examples of|what are (?:some|the))\b/.test(lower)
  )
    return {
      kind: "list",
      label: "list",
      subjects: one(/^(?:list|name|enumerate|give me|what are)\s+(?:(?:the|some|all|a few|a list of)\s+)*(.+)$/),
    };
  if (
    /^(?:what|which|define|explain|describe)\b/.test(lower) ||
    /\bwhat (?:is|are|does)\b/.test(lower) ||
    /\bmeaning of\b/.test(lower)
  )
    return {
      kind: "definition",
      label: "what / explanation",
      subjects: one(
        /^(?:what(?:'s|’s| is| are| was| were)|define|explain|describe|the meaning of)\s+(?:(?:an?|the)\s+)?(.+)$/,
      ),
    };
  if (/^(?:when|where|who|whose)\b/.test(lower))
    return { kind: "when-where-who", label: "factual (when / where / who)", subjects: [] };
  if (/^(?:is|are|can|could|should|does|do|did|will|would|was|were|has|have|am)\b/.test(lower))
    return { kind: "yes-no", label: "yes/no question", subjects: [] };
  if (
    /^(?:write|create|make|draft|generate|build|summari[sz]e|translate|plan|design|suggest|recommend|rewrite|fix)\b/.test(
      lower,
    )
  )
    return { kind: "task", label: "task / request to produce something", subjects: [] };
  return { kind: "general", label: text.includes("?") ? "open question" : "statement / general request", subjects: [] };
}

const KIND_NOUN: Record<QuestionKind, string> = {
  empty: "message",
  greeting: "message",
  calculation: "calculation",
  "date-time": "question",
  recall: "question",
  comparison: "comparison",
  "how-to": "how-to question",
  mechanism: "question",
  why: "question",
  list: "list request",
  definition: "question",
  "when-where-who": "question",
  "yes-no": "question",
  task: "request",
  general: "message",
};

function coverPoints(c: Classification, terms: string[], expression: string | null): string[] {
  const topic = joinWords(terms.slice(0, 3)) || "the topic";
  const subject = c.subjects[0] ?? topic;
  switch (c.kind) {
    case "empty":
      return ["Acknowledge that the message was empty", "Ask what the user would like help with"];
    case "greeting":
      return ["Greet the user back warmly", "Briefly say what the team can help with", "Invite a concrete question"];
    case "calculation":
      return [
        `State the result of \`${expression}\` clearly`,
        "Show the expression and the order of operations used",
        "Mention any rounding or units if relevant",
      ];
    case "date-time":
      return [
        "Give the current date and time in the requested time zone",
        "Mention the time zone / UTC offset used",
        "Note that the value is the time when the tool ran",
      ];
    case "recall":
      return [
        "Summarize what the earlier messages said on this",
        "Quote the relevant part briefly",
        "Say so plainly if nothing relevant was found",
      ];
    case "comparison": {
      const [a, b] = c.subjects.length === 2 ? c.subjects : ["the first option", "the second option"];
      return [
        `What ${a} and ${b} have in common`,
        `The key differences between ${a} and ${b}`,
        `When to choose ${a} vs. ${b}`,
      ];
    }
    case "how-to":
      return [
        `What you need before you ${c.subjects[0] ?? `start (${topic})`}`,
        "Clear step-by-step instructions",
        "Common pitfalls and how to check it worked",
      ];
    case "mechanism":
      return [
        `What ${subject} is, in one or two sentences`,
        "How it works, step by step",
        "A concrete example or analogy",
      ];
    case "why":
      return [
        `The main causes behind ${topic}, stated plainly`,
        "The mechanism: how one thing leads to another",
        "A concrete example",
      ];
    case "list":
      return [
        `A concise list: ${subject}`,
        "One line on each item explaining why it belongs",
        "Any notable exceptions or borderline cases",
      ];
    case "definition":
      return [
        `A plain-language definition of ${subject}`,
        `How ${subject} works or is used`,
        "A short, concrete example",
      ];
    case "when-where-who":
      return [
        `The direct fact asked for about ${topic}`,
        "Brief context that makes the fact meaningful",
        "Any uncertainty or caveats",
      ];
    case "yes-no":
      return [
        'A direct yes/no (or "it depends") up front',
        `The conditions that decide it for ${topic}`,
        "A short justification or example",
      ];
    case "task":
      return [
        `Deliver what was asked (${topic}) directly`,
        "Keep it well structured and concise",
        "Offer a follow-up or variation",
      ];
    case "general":
      return [
        `Address ${topic} directly`,
        "Give the most useful facts or next steps",
        "Ask a clarifying question if the intent is unclear",
      ];
  }
}

// ---------------------------------------------------------------------------------------------
// Researcher mode
// ---------------------------------------------------------------------------------------------

function errorText(error: string | undefined): string {
  return collapse((error ?? "unknown error").replace(/^(?:[A-Z]\w*)?Error:\s*/, ""), 200);
}

function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function describeToolOutcome(o: ToolOutcome): string {
  const input = (o.input && typeof o.input === "object" ? o.input : {}) as Record<string, unknown>;
  const value = (o.value && typeof o.value === "object" ? o.value : {}) as Record<string, unknown>;
  switch (o.toolName) {
    case "calculator": {
      const expr =
        typeof value.expression === "string"
          ? value.expression
          : typeof input.expression === "string"
            ? input.expression
            : "?";
      if (!o.ok) return `Calculator failed for \`${expr}\`: ${errorText(o.error)}`;
      const result = "result" in value ? value.result : o.value;
      return `Calculator: ${expr} = ${formatNumber(result)}`;
    }
    case "current_time": {
      const tz =
        typeof value.timezone === "string"
          ? value.timezone
          : typeof input.timezone === "string"
            ? input.timezone
            : "UTC";
      if (!o.ok)
        return `Current time tool failed${input.timezone ? ` for "${String(input.timezone)}"` : ""}: ${errorText(o.error)}`;
      const local = typeof value.local === "string" ? value.local : String(o.value);
      const iso = typeof value.iso === "string" ? ` (ISO ${value.iso})` : "";
      return `Current time (${tz}): ${local}${iso}`;
    }
    case "session_search": {
      const q = typeof value.query === "string" ? value.query : typeof input.query === "string" ? input.query : "";
      if (!o.ok) return `Session search failed${q ? ` for "${q}"` : ""}: ${errorText(o.error)}`;
      const results = Array.isArray(value.results) ? (value.results as Array<Record<string, unknown>>) : [];
      if (!results.length) return `Session search for "${q}": no earlier messages matched`;
      const top = results
        .slice(0, 3)
        .map(
          (r) =>
            `${typeof r.agent === "string" && r.agent ? r.agent : String(r.role ?? "message")}: "${collapse(String(r.content ?? ""), 90)}"`,
        )
        .join("; ");
      return `Session search for "${q}": ${results.length} earlier message(s) matched, e.g. ${top}`;
    }
    default: {
      if (!o.ok) return `Tool ${o.toolName} failed: ${errorText(o.error)}`;
      const shown = typeof o.value === "string" ? o.value : JSON.stringify(o.value);
      return `Tool ${o.toolName} returned: ${collapse(shown ?? "", 200)}`;
    }
  }
}

interface PlannedCall {
  toolName: string;
  input: Record<string, unknown>;
}

function planToolCalls(a: PromptAnalysis, offered: ReadonlySet<string>): PlannedCall[] {
  if (a.toolActivityAfterRequest || !a.request || offered.size === 0) return [];
  const calls: PlannedCall[] = [];
  const expression = findArithmeticExpression(a.request);
  if (expression && offered.has("calculator")) calls.push({ toolName: "calculator", input: { expression } });
  if (asksForDateOrTime(a.request) && offered.has("current_time")) {
    const timezone = findTimeZone(a.request);
    calls.push({ toolName: "current_time", input: timezone ? { timezone } : {} });
  }
  if (RECALL_RE.test(a.request) && offered.has("session_search")) {
    const query = extractKeyTerms(a.request, 5).join(" ").slice(0, 200);
    if (query) calls.push({ toolName: "session_search", input: { query, limit: 5 } });
  }
  return calls;
}

function researchNotes(a: PromptAnalysis, offered: ReadonlySet<string>): string {
  if (!a.request) {
    return [
      "## Research notes",
      "",
      "**Question:** (empty message: there is no request to research)",
      "**Question type:** empty message",
      "**Key terms:** none",
      "",
      "### A good answer should cover",
      "1. Acknowledge that the message was empty",
      "2. Ask what the user would like help with",
    ].join("\n");
  }
  const expression = findArithmeticExpression(a.request);
  const c = classify(a.request, expression !== null);
  const terms = extractKeyTerms(a.request);
  const topic =
    terms.slice(0, 4).join(", ") || (c.kind === "calculation" && expression ? expression : collapse(a.request, 60));

  const facts = a.toolOutcomes.map(describeToolOutcome);
  if (expression && !a.toolOutcomes.some((o) => o.toolName === "calculator")) {
    facts.push(
      `Arithmetic in the request: \`${expression}\` (no calculator result available; the answer should compute it carefully)`,
    );
  }
  if (asksForDateOrTime(a.request) && !a.toolOutcomes.some((o) => o.toolName === "current_time")) {
    facts.push(
      offered.has("current_time")
        ? "The request asks for the current date/time, but no clock reading is available yet"
        : "The request asks for the current date/time, but no current_time tool was available, so the clock could not be checked",
    );
  }

  const lines = [
    `## Research notes: ${topic}`,
    "",
    `**Question:** ${collapse(a.request, 280)}`,
    `**Question type:** ${c.label}${c.subjects.length ? ` (${c.subjects.join(" vs. ")})` : ""}`,
    `**Key terms:** ${terms.length ? terms.join(", ") : "none beyond the question itself"}`,
  ];
  if (a.previousRequest)
    lines.push(`**Context:** follow-up; the previous user message was "${collapse(a.previousRequest, 120)}"`);
  if (facts.length) {
    lines.push("", a.toolOutcomes.length ? "### Facts from tools" : "### Facts");
    for (const f of facts) lines.push(`- ${f}`);
  }
  lines.push("", "### A good answer should cover");
  const failedCalc = a.toolOutcomes.find((o) => o.toolName === "calculator" && !o.ok);
  const points =
    failedCalc && c.kind === "calculation"
      ? [
          `Explain that \`${expression}\` could not be evaluated (${errorText(failedCalc.error)})`,
          "Suggest how to fix or rephrase the expression",
          "Offer to compute a corrected version",
        ]
      : coverPoints(c, terms, expression);
  points.forEach((p, i) => {
    lines.push(`${i + 1}. ${p}`);
  });
  lines.push(
    "",
    `_Offline research: based on the question${a.toolOutcomes.length ? " and the tool results" : ""} only; no web sources were consulted._`,
  );
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Writer mode
// ---------------------------------------------------------------------------------------------

interface ParsedNotes {
  calc: Array<{ expression: string; result: string }>;
  calcFailures: string[];
  calcErrors: Array<{ expression: string; error: string }>;
  times: Array<{ timezone: string; local: string }>;
  otherFacts: string[];
  keyTerms: string[];
  questionType: string | null;
  cover: string[];
  loose: string[];
}

function cleanInline(s: string): string {
  return s
    .replace(/\*\*|__|`/g, "")
    .replace(/^[-*+]\s+|^\d+[.)]\s+|^#+\s*/, "")
    .trim();
}

function parseNotes(notes: ColleagueNote[]): ParsedNotes {
  const out: ParsedNotes = {
    calc: [],
    calcFailures: [],
    calcErrors: [],
    times: [],
    otherFacts: [],
    keyTerms: [],
    questionType: null,
    cover: [],
    loose: [],
  };
  for (const note of notes) {
    let section = "";
    for (const rawLine of note.text.split(/\r\n?|[\n\u2028\u2029]/)) {
      const line = squeezeSpace(rawLine).trim();
      if (!line) continue;
      if (/^#{1,6}\s/.test(line)) {
        section = line.toLowerCase();
        continue;
      }
      const plain = cleanInline(line);
      let m: RegExpExecArray | null;
      if ((m = /^Calculator:\s*(.+?)\s*=\s*([^=]+)$/.exec(plain))) {
        out.calc.push({ expression: m[1].trim(), result: m[2].trim() });
        continue;
      }
      if (
        /^Calculator failed\b/i.test(plain) ||
        /^Current time tool failed\b/i.test(plain) ||
        /^Session search failed\b/i.test(plain) ||
        /^Tool \S+ failed\b/.test(plain)
      ) {
        out.calcFailures.push(plain);
        if ((m = /^Calculator failed for (.+?):\s*(.+)$/.exec(plain)))
          out.calcErrors.push({ expression: m[1].trim(), error: m[2].trim() });
        continue;
      }
      if ((m = /^Current time \(([^)]+)\):\s*(.+)$/.exec(plain))) {
        out.times.push({ timezone: m[1], local: m[2].replace(/\s*\(ISO [^()]*\)\s*$/, "") });
        continue;
      }
      if ((m = /^Key terms:\s*(.+)$/i.exec(plain))) {
        if (!/^none\b/i.test(m[1])) out.keyTerms.push(...m[1].split(/\s*,\s*/).filter(Boolean));
        continue;
      }
      if ((m = /^Question type:\s*(.+)$/i.exec(plain))) {
        out.questionType ??= m[1];
        continue;
      }
      if (/^(?:Question|Context):/i.test(plain) || /^_?Offline research/i.test(plain)) continue;
      if (section.includes("should cover") && /^(?:\d+[.)]|[-*+])\s/.test(line)) {
        out.cover.push(plain);
        continue;
      }
      if (/^[-*+]\s/.test(line) && !section.includes("should cover")) {
        out.otherFacts.push(plain);
        continue;
      }
      if (plain.length > 3 && !plain.endsWith(":")) out.loose.push(plain);
    }
  }
  out.keyTerms = [...new Set(out.keyTerms)].slice(0, 8);
  return out;
}

function sourcePhrase(notes: ColleagueNote[], alone = false): string {
  const names = [...new Set(notes.map((n) => n.agent))];
  const phrase = (name: string) => (/^[a-z][a-z0-9_-]*$/.test(name) ? `the ${name}'s` : `${name}'s`);
  if (names.length === 0) return alone ? "what you asked" : "the researcher's notes";
  if (names.length === 1) return `${phrase(names[0])} notes`;
  return `${names.slice(0, -1).map(phrase).join(", ")} and ${phrase(names[names.length - 1])} notes`;
}

function writerAnswer(a: PromptAnalysis): string {
  const p = parseNotes(a.notes);
  const source = sourcePhrase(a.notes, true);
  const request = a.request;
  const expression = findArithmeticExpression(request);
  const c = classify(request, expression !== null || p.calc.length > 0);
  const terms = p.keyTerms.length ? p.keyTerms : extractKeyTerms(request);
  const topic = terms.slice(0, 3).join(", ");
  const lines: string[] = [];

  if (!request) {
    lines.push(
      "## Hello!",
      "",
      `Based on ${source}, your message came through empty, so there is nothing specific to answer yet.`,
      "",
      "What would you like help with? Ask a question, and the researcher and I will dig in.",
    );
    return lines.join("\n");
  }

  // Title + lead sentence.
  if (p.calc.length) {
    const first = p.calc[0];
    lines.push(
      `## ${first.expression} = ${first.result}`,
      "",
      `Based on ${source}, the answer is **${first.result}**.`,
    );
  } else if (p.times.length) {
    const t = p.times[0];
    lines.push(
      `## Current time (${t.timezone})`,
      "",
      `Based on ${source}, it is currently **${t.local}** (${t.timezone}).`,
    );
  } else if (p.calcErrors.length) {
    const e = p.calcErrors[0];
    lines.push(
      `## ${e.expression}`,
      "",
      `Based on ${source}, the calculator could not evaluate \`${e.expression}\`: ${e.error}.`,
    );
  } else if (c.kind === "greeting") {
    lines.push("## Hello!", "", `Based on ${source}, you're saying hi, so: hello, and thanks for stopping by!`);
  } else {
    const title =
      c.kind === "comparison" && c.subjects.length === 2
        ? `${capitalize(c.subjects[0])} vs. ${c.subjects[1]}`
        : capitalize(collapse(request, 70).replace(/[?.!]+$/, ""));
    lines.push(
      `## ${title}`,
      "",
      `Based on ${source}, here is a structured answer to your ${KIND_NOUN[c.kind]}: "${collapse(request, 120)}".`,
    );
  }

  if (p.calcFailures.length > p.calcErrors.length || (p.calcFailures.length && p.calc.length)) {
    lines.push("", "**Note:** a tool could not complete its job:");
    for (const f of p.calcFailures.slice(0, 3)) lines.push(`- ${f}`);
  }

  // Restate what the notes found.
  const found: string[] = [];
  for (const calc of p.calc)
    found.push(
      `Calculation: \`${calc.expression}\` = **${calc.result}** (evaluated with the usual order of operations: parentheses, powers, then × ÷, then + −).`,
    );
  for (const t of p.times) found.push(`Current time in ${t.timezone}: ${t.local}.`);
  const others = p.otherFacts.filter((f) => !/^Calculator|^Current time/.test(f)).slice(0, 4);
  for (const f of others) found.push(/[.!?]$/.test(f) ? collapse(f, 220) : `${collapse(f, 220)}.`);
  const structured = found.length > 0 || p.keyTerms.length > 0 || p.cover.length > 0;
  if (!structured) for (const l of p.loose.slice(0, 3)) found.push(`"${collapse(l, 160)}"`);
  if (terms.length) found.push(`Key terms: ${terms.map((t) => `**${t}**`).join(", ")}.`);
  if (found.length) {
    lines.push("", a.notes.length ? "### What the notes found" : "### What you asked about");
    for (const f of found.slice(0, 6)) lines.push(`- ${f}`);
  }

  // Turn the coverage checklist into the body: a table or code when the request asks for one.
  const cover = p.cover.length ? p.cover : coverPoints(c, terms, expression);
  const heading =
    c.kind === "how-to" ? "### Steps to cover" : c.kind === "comparison" ? "### How they compare" : "### Key points";
  const form = askedForm(request);
  if (form.table) lines.push("", heading, "", ...markdownTable(c, terms, cover));
  else if (c.kind !== "calculation" && !p.times.length) {
    lines.push("", heading);
    cover.slice(0, 5).forEach((item, i) => {
      lines.push(`${i + 1}. ${capitalize(trimEndWhile(item, /[.;]/))}.`);
    });
  }
  if (form.code) lines.push("", "### Code", "", ...codeBlock(form.code, request, c, terms, cover));

  // Closing.
  lines.push("");
  if (p.calc.length) lines.push(`**In short:** ${p.calc.map((x) => `${x.expression} = ${x.result}`).join("; ")}.`);
  else if (p.calcErrors.length)
    lines.push("Please double-check the expression (for example, division by zero is undefined) and send it again.");
  else if (p.times.length) lines.push("Times move on, of course: ask again any time for a fresh reading.");
  else if (c.kind === "greeting") lines.push("What would you like to explore today?");
  else
    lines.push(
      `These notes were gathered offline (no web sources), so treat this as a starting outline${topic ? ` on ${joinWords(terms.slice(0, 3))}` : ""}, and ask a follow-up to go deeper on any point.`,
    );
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// The forms an answer can take when asked for them: a Markdown table, fenced code
// ---------------------------------------------------------------------------------------------

const TABLE_RE = /\b(?:tables?|tabular|tabulate|side[- ]by[- ]side|matrix)\b/i;
const CODE_RE = /\b(?:code|snippet|function|script|program|implement|implementation|algorithm)\b/i;
const LANGUAGES: ReadonlyArray<[RegExp, string]> = [
  [/\btypescript\b|\bts\b/i, "typescript"],
  [/\bjavascript\b|\bjs\b|\bnode(?:\.js)?\b/i, "javascript"],
  [/\bpython\b|\bpy\b/i, "python"],
  [/\bsql\b|\bquery\b/i, "sql"],
  [/\bbash\b|\bshell\b|\bsh\b/i, "bash"],
];

/** Whether the request asks for a table, and for code in which language (python unless it names one). */
function askedForm(request: string): { table: boolean; code: string | null } {
  const text = request.slice(0, CLASSIFY_CHARS);
  const language = LANGUAGES.find(([re]) => re.test(text))?.[1] ?? null;
  return { table: TABLE_RE.test(text), code: CODE_RE.test(text) || language ? (language ?? "python") : null };
}

const cell = (text: string) => collapse(text.replace(/\|/g, "\\|"), 80);

function markdownTable(c: Classification, terms: string[], cover: string[]): string[] {
  if (c.kind === "comparison" && c.subjects.length === 2) {
    const [a, b] = c.subjects.map((x) => cell(capitalize(x)));
    return [
      `| Aspect | ${a} | ${b} |`,
      "| --- | --- | --- |",
      `| What it is | ${a}, in a sentence | ${b}, in a sentence |`,
      `| Main strength | Where ${a} shines | Where ${b} shines |`,
      `| Main trade-off | What ${a} costs you | What ${b} costs you |`,
      `| Choose it when | Your needs match ${a}'s strength | Your needs match ${b}'s strength |`,
    ];
  }
  const rows = cover.slice(0, 5).map((item, i) => {
    const term = terms[i] ?? terms[0];
    return `| ${i + 1} | ${cell(capitalize(trimEndWhile(item, /[.;]/)))} | ${term ? cell(term) : "—"} |`;
  });
  return ["| # | Point | Key term |", "| --- | --- | --- |", ...rows];
}

/** A name for code from the request's subject or key terms: `reverse_string`, `reverseString`. */
function codeName(c: Classification, terms: string[], camel: boolean): string {
  const words = (c.subjects[0] ?? terms.slice(0, 3).join(" "))
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !STOP_WORDS.has(w) && !/^(?:code|function|script|python|javascript|typescript)$/.test(w))
    .slice(0, 3);
  if (!words.length || /^\d/.test(words[0])) words.unshift("solve");
  return camel ? words.map((w, i) => (i ? capitalize(w) : w)).join("") : words.join("_");
}

/** Small, correct programs for the tasks people ask for most; a documented outline otherwise. */
const KNOWN_CODE: ReadonlyArray<{ re: RegExp; python: string[]; javascript: string[] }> = [
  {
    re: /\bfibonacci\b/i,
    python: [
      "def fibonacci(n: int) -> list[int]:",
      '    """The first n Fibonacci numbers."""',
      "    numbers, a, b = [], 0, 1",
      "    for _ in range(n):",
      "        numbers.append(a)",
      "        a, b = b, a + b",
      "    return numbers",
      "",
      "",
      "print(fibonacci(10))  # [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]",
    ],
    javascript: [
      "function fibonacci(n) {",
      "  const numbers = [];",
      "  let [a, b] = [0, 1];",
      "  for (let i = 0; i < n; i++) {",
      "    numbers.push(a);",
      "    [a, b] = [b, a + b];",
      "  }",
      "  return numbers;",
      "}",
      "",
      "console.log(fibonacci(10)); // [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]",
    ],
  },
  {
    re: /\bfactorial\b/i,
    python: [
      "def factorial(n: int) -> int:",
      '    """n! for n >= 0."""',
      "    result = 1",
      "    for k in range(2, n + 1):",
      "        result *= k",
      "    return result",
      "",
      "",
      "print(factorial(5))  # 120",
    ],
    javascript: [
      "function factorial(n) {",
      "  let result = 1;",
      "  for (let k = 2; k <= n; k++) result *= k;",
      "  return result;",
      "}",
      "",
      "console.log(factorial(5)); // 120",
    ],
  },
  {
    re: /\bpalindrome\b/i,
    python: [
      "def is_palindrome(text: str) -> bool:",
      '    """Whether text reads the same backwards, ignoring case and non-letters."""',
      "    letters = [ch.lower() for ch in text if ch.isalnum()]",
      "    return letters == letters[::-1]",
      "",
      "",
      'print(is_palindrome("A man, a plan, a canal: Panama"))  # True',
    ],
    javascript: [
      "function isPalindrome(text) {",
      '  const letters = text.toLowerCase().replace(/[^a-z0-9]/g, "");',
      '  return letters === [...letters].reverse().join("");',
      "}",
      "",
      'console.log(isPalindrome("A man, a plan, a canal: Panama")); // true',
    ],
  },
  {
    re: /\breverse\b/i,
    python: [
      "def reverse_string(text: str) -> str:",
      '    """text, backwards."""',
      "    return text[::-1]",
      "",
      "",
      'print(reverse_string("Tandem"))  # medbaT',
    ],
    javascript: [
      "function reverseString(text) {",
      '  return [...text].reverse().join("");',
      "}",
      "",
      'console.log(reverseString("Tandem")); // "medbaT"',
    ],
  },
  {
    re: /\bprimes?\b/i,
    python: [
      "def is_prime(n: int) -> bool:",
      '    """Whether n is a prime number (trial division up to its square root)."""',
      "    if n < 2:",
      "        return False",
      "    k = 2",
      "    while k * k <= n:",
      "        if n % k == 0:",
      "            return False",
      "        k += 1",
      "    return True",
      "",
      "",
      "print([n for n in range(20) if is_prime(n)])  # [2, 3, 5, 7, 11, 13, 17, 19]",
    ],
    javascript: [
      "function isPrime(n) {",
      "  if (n < 2) return false;",
      "  for (let k = 2; k * k <= n; k++) if (n % k === 0) return false;",
      "  return true;",
      "}",
      "",
      "console.log([...Array(20).keys()].filter(isPrime)); // [2, 3, 5, 7, 11, 13, 17, 19]",
    ],
  },
];

function codeBlock(language: string, request: string, c: Classification, terms: string[], cover: string[]): string[] {
  const known = KNOWN_CODE.find((k) => k.re.test(request.slice(0, CLASSIFY_CHARS)));
  const steps = cover.slice(0, 3).map((item) => capitalize(trimEndWhile(item, /[.;]/)));
  let body: string[];
  if (language === "sql") {
    const table = codeName(c, terms, false);
    body = [
      `-- ${steps[0] ?? "The rows the question is about"}`,
      "SELECT *",
      `FROM ${table}`,
      "WHERE created_at >= CURRENT_DATE - INTERVAL '7 days'",
      "ORDER BY created_at DESC",
      "LIMIT 50;",
    ];
  } else if (language === "bash") {
    body = [
      "#!/usr/bin/env bash",
      "set -euo pipefail",
      "",
      ...steps.map((step, i) => `# ${i + 1}. ${step}`),
      `echo "${codeName(c, terms, false)}: done"`,
    ];
  } else if (language === "python") {
    body = known?.python ?? [
      `def ${codeName(c, terms, false)}():`,
      `    """${steps[0] ?? "Solve the task"}."""`,
      ...steps.slice(1).map((step, i) => `    # ${i + 1}. ${step}`),
      "    raise NotImplementedError",
    ];
  } else {
    const js = known?.javascript ?? [
      `function ${codeName(c, terms, true)}() {`,
      `  // ${steps[0] ?? "Solve the task"}`,
      ...steps.slice(1).map((step, i) => `  // ${i + 1}. ${step}`),
      '  throw new Error("not implemented");',
      "}",
    ];
    // TypeScript: the same code with its parameter typed.
    const typed = (param: string) => (param ? `${param}: ${param === "text" ? "string" : "number"}` : "");
    body =
      language === "typescript"
        ? js.map((l) => l.replace(/^function (\w+)\((\w*)\)/, (_, name, param) => `function ${name}(${typed(param)})`))
        : js;
  }
  return [`\`\`\`${language}`, ...body, "```"];
}

// ---------------------------------------------------------------------------------------------
// Reviewer mode, and titles
// ---------------------------------------------------------------------------------------------

/** The agent's part as its system prompt states it ("You are the reviewer…"); null: by the notes. */
function roleOf(system: string): "writer" | "reviewer" | null {
  const m = /\bYou are (?:the )?(writer|reviewer)\b/i.exec(system.slice(0, 500));
  return m ? (m[1].toLowerCase() as "writer" | "reviewer") : null;
}

interface OfflineVerdict {
  verdict: "approve" | "changes";
  notes: string;
}

const verdictText = (v: OfflineVerdict) =>
  `${v.verdict === "approve" ? "**Approved**" : "**Changes requested**"}\n\n${v.notes}`;

/** What the offline reviewer asks for in a first round when the draft lacks nothing asked for. */
const SUMMARY_NOTE =
  "Open with a one-line summary (In short: …) before the details, so the answer can be read at a glance.";

/**
 * A verdict on the last colleague's draft: what it covers, checked against the request. In a
 * review process (`rounds`), the first round always asks for changes: the summary line at least.
 */
function reviewVerdict(a: PromptAnalysis, rounds: boolean): OfflineVerdict {
  const draft = a.notes.at(-1);
  if (!draft)
    return {
      verdict: "changes",
      notes: "- There is no draft to review yet: the writer should answer the request first.",
    };
  const text = draft.text.slice(0, 20_000);
  const headings = (text.match(/^#{2,3} .+$/gm) ?? []).length;
  const points = (text.match(/^(?:\d+\.|[-*]) .+$/gm) ?? []).length;
  const extras = [text.includes("```") ? "code" : "", /^\|.+\|$/m.test(text) ? "a table" : ""].filter(Boolean);
  const form = askedForm(a.request);
  const missing = [
    form.table && !extras.includes("a table") ? "a table" : "",
    form.code && !extras.includes("code") ? "code" : "",
  ].filter(Boolean);
  if (missing.length) {
    return {
      verdict: "changes",
      notes: `- The request asks for ${joinWords(missing)}; the draft should include ${missing.length > 1 ? "them" : "it"}.`,
    };
  }
  if (rounds && a.ownTurnsAfterRequest === 0) return { verdict: "changes", notes: SUMMARY_NOTE };
  return {
    verdict: "approve",
    notes: `The ${draft.agent}'s draft answers "${collapse(a.request, 80)}" directly, in ${headings || 1} section${headings === 1 ? "" : "s"} with ${points} point${points === 1 ? "" : "s"}${extras.length ? ` and ${joinWords(extras)}` : ""}: it holds up as written.`,
  };
}

/** The writer's revision: its answer with the summary line the offline reviewer asks for. */
function revisedAnswer(a: PromptAnalysis, revision: RevisionRequest): string {
  const lines = writerAnswer({ ...a, notes: a.notes.filter((n) => n.agent !== revision.reviewer) }).split("\n");
  const terms = extractKeyTerms(a.request, 3);
  const gist = terms.length ? `this answer covers ${joinWords(terms)}` : collapse(a.request, 120);
  // After the title and its blank line: the summary leads the body.
  lines.splice(2, 0, `**In short:** ${gist}.`, "");
  return lines.join("\n");
}

/** Consult: the writer's one question to its first teammate, before it writes. */
function plannedQuestion(a: PromptAnalysis, offered: ReadonlySet<string>): PlannedCall | null {
  if (a.toolActivityAfterRequest || !a.request) return null;
  const ask = [...offered].find((name) => name.startsWith(askTool("")));
  if (!ask) return null;
  const terms = extractKeyTerms(a.request, 3);
  const subject = terms.length ? joinWords(terms) : `"${collapse(a.request, 100)}"`;
  return { toolName: ask, input: { question: `What should I know about ${subject}?` } };
}

/** Teammates' answers to the writer's questions, read as their notes. */
function answersAsNotes(a: PromptAnalysis): ColleagueNote[] {
  return a.toolOutcomes
    .filter((o) => o.ok && o.toolName?.startsWith(askTool("")))
    .map((o) => ({
      agent: o.toolName.slice(askTool("").length),
      role: null,
      text: String((o.value as { answer?: unknown } | null)?.answer ?? ""),
    }));
}

/** A short title for a conversation: its subject, from the question (the prompt's `Question:` part). */
export function offlineTitle(prompt: string): string {
  const start = prompt.startsWith("Question:\n") ? "Question:\n".length : 0;
  const end = prompt.indexOf("\n\nAnswer:\n");
  const question = prompt.slice(start, end > start ? end : undefined).slice(0, CLASSIFY_CHARS);
  const expression = findArithmeticExpression(question);
  const c = classify(question, expression !== null);
  const terms = extractKeyTerms(question, 3);
  switch (c.kind) {
    case "empty":
      return "Empty message";
    case "greeting":
      return "Saying hello";
    case "calculation":
      return collapse(`Calculating ${expression}`, 50);
    case "date-time":
      return "The current date and time";
    case "comparison":
      return collapse(`${capitalize(c.subjects[0])} vs. ${c.subjects[1]}`, 50);
    default:
      if (c.subjects[0]) return collapse(capitalize(c.subjects[0]), 50);
      return terms.length ? collapse(capitalize(joinWords(terms)), 50) : collapse(question, 50);
  }
}

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

type Reply =
  | { kind: "text"; text: string }
  | { kind: "tool-calls"; calls: Array<{ toolCallId: string; toolName: string; input: string }>; text?: string };

function offeredTools(options: LanguageModelV4CallOptions): Set<string> {
  const choice = options.toolChoice;
  if (choice?.type === "none") return new Set();
  const names = new Set((options.tools ?? []).filter((t) => t.type === "function").map((t) => t.name));
  if (choice?.type === "tool") return names.has(choice.toolName) ? new Set([choice.toolName]) : new Set();
  return names;
}

function decide(options: LanguageModelV4CallOptions): { reply: Reply; analysis: PromptAnalysis } {
  const analysis = analyzePrompt(options.prompt);
  const text = (t: string) => ({ reply: { kind: "text", text: t } as Reply, analysis });
  if (options.providerOptions?.tandem?.task === "title") return text(offlineTitle(analysis.request));
  const role = roleOf(analysis.system);
  const offered = offeredTools(options);
  const calls = (planned: PlannedCall[], said?: string) => {
    const base = fnv1a(`${analysis.request}\u0000${options.prompt.length}`);
    const reply: Reply = {
      kind: "tool-calls",
      calls: planned.map((c, i) => ({
        toolCallId: `call_${base}_${i}`,
        toolName: c.toolName,
        input: JSON.stringify(c.input),
      })),
      text: said,
    };
    return { reply, analysis };
  };
  if (role === "reviewer") {
    const rounds = offered.has(VERDICT_TOOL);
    const verdict = reviewVerdict(analysis, rounds);
    if (!rounds) return text(verdictText(verdict));
    return calls([{ toolName: VERDICT_TOOL, input: { ...verdict } }], verdictText(verdict));
  }
  if (analysis.notes.length > 0 || role === "writer") {
    const question = plannedQuestion(analysis, offered);
    if (question) return calls([question]);
    if (analysis.revision) return text(revisedAnswer(analysis, analysis.revision));
    const answers = answersAsNotes(analysis);
    return text(writerAnswer(answers.length ? { ...analysis, notes: [...analysis.notes, ...answers] } : analysis));
  }
  const planned = planToolCalls(analysis, offered);
  if (planned.length) return calls(planned);
  return { reply: { kind: "text", text: researchNotes(analysis, offered) }, analysis };
}

function promptChars(prompt: LanguageModelV4Prompt): number {
  let n = 0;
  const json = (v: unknown) => {
    try {
      return JSON.stringify(v)?.length ?? 0;
    } catch {
      return 0;
    }
  };
  for (const m of Array.isArray(prompt) ? prompt : []) {
    if (m.role === "system") {
      n += m.content.length;
      continue;
    }
    for (const part of m.content) {
      switch (part.type) {
        case "text":
        case "reasoning":
          n += part.text.length;
          break;
        case "tool-call":
          n += part.toolName.length + json(part.input);
          break;
        case "tool-result":
          n += part.toolName.length + json(part.output);
          break;
        default:
          n += json(part);
          break;
      }
    }
  }
  return n;
}

function makeUsage(inputChars: number, outputChars: number, textChars: number): LanguageModelV4Usage {
  const input = Math.ceil(inputChars / 4);
  const output = Math.ceil(outputChars / 4);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: Math.ceil(textChars / 4), reasoning: 0 },
    raw: { input_chars: inputChars, output_chars: outputChars },
  };
}

function finishReasonOf(reply: Reply): LanguageModelV4FinishReason {
  return reply.kind === "tool-calls" ? { unified: "tool-calls", raw: "tool_calls" } : { unified: "stop", raw: "stop" };
}

function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  const message =
    reason instanceof Error
      ? reason.message
      : typeof reason === "string" && reason
        ? reason
        : "The operation was aborted";
  const err = new Error(message, { cause: reason });
  err.name = "AbortError";
  return err;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Split text into word-sized chunks whose concatenation is exactly the text. */
export function chunkText(text: string): string[] {
  return text.match(/\s+|\S+\s*/g) ?? [];
}

/** Create the offline deterministic model (AI SDK LanguageModelV4). */
export function createOfflineModel(options: OfflineModelOptions = {}): LanguageModelV4 {
  const delayMs = Math.max(0, Number.isFinite(options.delayMs) ? Number(options.delayMs) : 0);
  const modelId = options.modelId ?? "tandem-offline";

  const run = (call: LanguageModelV4CallOptions) => {
    const { reply } = decide(call);
    const inputChars = promptChars(call.prompt);
    const textChars = reply.text?.length ?? 0;
    const outputChars =
      reply.kind === "text"
        ? textChars
        : textChars + reply.calls.reduce((s, c) => s + c.toolName.length + c.input.length, 0);
    const responseId = `offline-${fnv1a(`${inputChars}:${JSON.stringify(call.prompt.map((m) => m.role))}:${reply.kind === "text" ? reply.text : reply.calls.map((c) => c.input).join()}`)}`;
    return {
      reply,
      usage: makeUsage(inputChars, outputChars, textChars),
      finishReason: finishReasonOf(reply),
      responseId,
    };
  };

  return {
    specificationVersion: "v4",
    provider: OFFLINE_PROVIDER,
    modelId,
    supportedUrls: {},

    async doGenerate(call): Promise<LanguageModelV4GenerateResult> {
      const signal = call.abortSignal;
      if (signal?.aborted) throw abortError(signal);
      const { reply, usage, finishReason, responseId } = run(call);
      if (delayMs > 0) await sleep(delayMs, signal);
      const content: LanguageModelV4Content[] = reply.text ? [{ type: "text", text: reply.text }] : [];
      if (reply.kind === "tool-calls") {
        for (const c of reply.calls) {
          content.push({ type: "tool-call", toolCallId: c.toolCallId, toolName: c.toolName, input: c.input });
        }
      }
      return { content, finishReason, usage, warnings: [], response: { id: responseId, modelId } };
    },

    async doStream(call): Promise<LanguageModelV4StreamResult> {
      const signal = call.abortSignal;
      if (signal?.aborted) throw abortError(signal);
      const { reply, usage, finishReason, responseId } = run(call);

      const parts: LanguageModelV4StreamPart[] = [
        { type: "stream-start", warnings: [] },
        { type: "response-metadata", id: responseId, modelId },
      ];
      if (reply.text) {
        const id = "txt-0";
        parts.push({ type: "text-start", id });
        for (const delta of chunkText(reply.text)) parts.push({ type: "text-delta", id, delta });
        parts.push({ type: "text-end", id });
      }
      if (reply.kind === "tool-calls") {
        for (const c of reply.calls) {
          parts.push({ type: "tool-input-start", id: c.toolCallId, toolName: c.toolName });
          parts.push({ type: "tool-input-delta", id: c.toolCallId, delta: c.input });
          parts.push({ type: "tool-input-end", id: c.toolCallId });
          parts.push({ type: "tool-call", toolCallId: c.toolCallId, toolName: c.toolName, input: c.input });
        }
      }
      parts.push({ type: "finish", finishReason, usage });

      let index = 0;
      let done = false;
      let onAbort: (() => void) | undefined;
      const cleanup = () => {
        done = true;
        if (onAbort) signal?.removeEventListener("abort", onAbort);
      };

      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        start(controller) {
          if (!signal) return;
          onAbort = () => {
            if (done) return;
            cleanup();
            try {
              controller.error(abortError(signal));
            } catch {
              /* already closed */
            }
          };
          signal.addEventListener("abort", onAbort, { once: true });
        },
        async pull(controller) {
          if (done) return;
          try {
            if (signal?.aborted) throw abortError(signal);
            const part = parts[index];
            if (part.type === "text-delta" || part.type === "tool-input-delta") {
              // Even at zero delay each chunk arrives in its own macrotask, as a network model's
              // do: a run made only of microtasks would hold the event loop (and every other
              // request and socket) until it finished.
              await (delayMs > 0 ? sleep(delayMs, signal) : new Promise<void>((resolve) => setImmediate(resolve)));
            }
            if (done) return;
            controller.enqueue(part);
            index++;
            if (index >= parts.length) {
              cleanup();
              controller.close();
            }
          } catch (error) {
            if (done) return;
            cleanup();
            controller.error(error);
          }
        },
        cancel() {
          cleanup();
        },
      });
      return { stream, request: { body: { modelId, messages: call.prompt.length } } };
    },
  };
}

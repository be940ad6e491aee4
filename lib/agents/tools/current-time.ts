/** `current_time` built-in tool plus helpers to spot date/time questions in natural language. */
import { z } from "zod";
import { summaryLine } from "./summary";
import type { BuiltinTool } from "./types";

/** Validate an IANA time zone name with Intl and return its canonical spelling. Throws "Unknown time zone: X". */
export function resolveTimeZone(timezone: string): string {
  const tz = timezone.trim();
  if (!tz || tz.length > 64) throw new Error(`Unknown time zone: ${timezone}`);
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`Unknown time zone: ${timezone}`);
  }
}

export function isValidTimeZone(timezone: string): boolean {
  try {
    resolveTimeZone(timezone);
    return true;
  } catch {
    return false;
  }
}

export const currentTimeInputSchema = z.object({
  timezone: z
    .string()
    .max(64)
    .optional()
    .describe('IANA time zone name such as "UTC", "Europe/Paris" or "Asia/Tokyo". Defaults to UTC.'),
});

export type CurrentTimeInput = z.infer<typeof currentTimeInputSchema>;
export interface CurrentTimeOutput {
  /** The instant in ISO 8601 (UTC). */
  iso: string;
  /** Canonical IANA name of the zone used. */
  timezone: string;
  /** Human-readable local time: weekday, date, time and zone, e.g. "Tuesday, December 1, 2026 at 22:05:09 GMT+9". */
  local: string;
  /** Offset from UTC in that zone, e.g. "+09:00". */
  utc_offset: string;
  unix_ms: number;
}

export function describeTime(now: Date, timezone = "UTC"): CurrentTimeOutput {
  const tz = resolveTimeZone(timezone);
  const local = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(now);
  const offsetPart = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" })
    .formatToParts(now)
    .find((p) => p.type === "timeZoneName")?.value;
  const offset = offsetPart && offsetPart !== "GMT" ? offsetPart.replace(/^GMT/, "") : "+00:00";
  return { iso: now.toISOString(), timezone: tz, local, utc_offset: offset, unix_ms: now.getTime() };
}

export const currentTimeTool: BuiltinTool<CurrentTimeInput, CurrentTimeOutput> = {
  name: "current_time",
  description:
    'Get the current date and time. Optionally pass an IANA time zone (e.g. "Europe/Paris", "Asia/Tokyo"); defaults to UTC. ' +
    "Returns the ISO timestamp, the local weekday/date/time in that zone, its UTC offset and the Unix time in milliseconds.",
  inputSchema: currentTimeInputSchema,
  async execute(input, ctx) {
    const raw = (input as { timezone?: unknown } | null | undefined)?.timezone;
    if (raw !== undefined && raw !== null && typeof raw !== "string")
      throw new Error('timezone must be a string (IANA name such as "Europe/Paris")');
    const timezone = typeof raw === "string" && raw.trim() ? raw : "UTC";
    const now = ctx?.now ? ctx.now() : new Date();
    return describeTime(now, timezone);
  },
  summarize(input, outcome) {
    const timezone = typeof input?.timezone === "string" && input.timezone.trim() ? input.timezone.trim() : "UTC";
    return summaryLine("current_time", timezone, outcome, localMinute);
  },
};

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** "2026-12-05 19:01 (Saturday)": the output's instant on its zone's wall clock, to the minute. */
function localMinute({ iso, utc_offset }: CurrentTimeOutput): string {
  const offset = /^([+-])(\d{2}):(\d{2})$/.exec(utc_offset);
  const minutes = offset ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  const wall = new Date(Date.parse(iso) + minutes * 60_000);
  return `${wall.toISOString().slice(0, 16).replace("T", " ")} (${WEEKDAYS[wall.getUTCDay()]})`;
}

// Phrases that ask for the current date or time. "timeline", "time complexity", "no time for this" do not match.
const END = String.raw`(?=\s*(?:$|[?.!,;:]|now\b|right\s+now\b|today\b|tonight\b|currently\b|there\b|please\b|in\s|at\s+the\s+moment\b|where\b|for\s+me\b))`;
const DATE_TIME_PATTERNS: RegExp[] = [
  /\bwhat\s+time\s+is\s+it\b/i,
  /\bwhat\s+(?:time|day|date|year|month)\s+is\s+(?:it|today)\b/i,
  /\bwhat\s+day\s+of\s+the\s+(?:week|month)\s+is\s+(?:it|today)\b/i,
  new RegExp(
    String.raw`\bwhat(?:'s|’s|\s+is)\s+(?:the\s+)?(?:current\s+|local\s+|today'?s\s+|today’s\s+)?(?:time|date|day)` +
      END,
    "i",
  ),
  /\bwhat(?:'s|’s|\s+is)\s+today'?s?\s+date\b/i,
  /\bwhat(?:'s|’s|\s+is)\s+today\b/i,
  /\b(?:current|local)\s+(?:date|time|day)\b(?!\s+(?:complexity|series|zone\s+database))/i,
  /\btoday'?s\s+date\b|\btoday’s\s+date\b|\bdate\s+today\b/i,
  /\b(?:the\s+)?time\s+(?:right\s+)?now\b/i,
  /\b(?:tell|give)\s+me\s+the\s+(?:time|date)\b/i,
  /^\s*(?:the\s+)?(?:current\s+|local\s+)?time\s+in\s+\S/i,
  /\bwhat\s+(?:is\s+)?the\s+time\s+in\s+/i,
  /\bwhat\s+(?:hour|year)\s+is\s+it\b/i,
  /\bdate\s+and\s+time\b|\btime\s+and\s+date\b/i,
];

/** Does this text ask for the current date or time? ("what time is it", "what's the date today", "current time in Tokyo"). */
export function asksForDateOrTime(text: string): boolean {
  if (typeof text !== "string" || !text.trim()) return false;
  const t = text.length > 2000 ? text.slice(0, 2000) : text;
  return DATE_TIME_PATTERNS.some((re) => re.test(t));
}

const CITY_ZONES: ReadonlyArray<[RegExp, string]> = [
  [/\bnew\s+york(?:\s+city)?\b|\bnyc\b/i, "America/New_York"],
  [/\blos\s+angeles\b|\bsan\s+francisco\b|\bseattle\b/i, "America/Los_Angeles"],
  [/\bchicago\b/i, "America/Chicago"],
  [/\btoronto\b/i, "America/Toronto"],
  [/\bs[aã]o\s+paulo\b/i, "America/Sao_Paulo"],
  [/\blondon\b/i, "Europe/London"],
  [/\bparis\b/i, "Europe/Paris"],
  [/\bberlin\b/i, "Europe/Berlin"],
  [/\bmadrid\b/i, "Europe/Madrid"],
  [/\brome\b/i, "Europe/Rome"],
  [/\bmoscow\b/i, "Europe/Moscow"],
  [/\bdubai\b/i, "Asia/Dubai"],
  [/\bmumbai\b|\bdelhi\b|\bbangalore\b|\bbengaluru\b|\bindia\b/i, "Asia/Kolkata"],
  [/\bsingapore\b/i, "Asia/Singapore"],
  [/\bhong\s+kong\b/i, "Asia/Hong_Kong"],
  [/\bbeijing\b|\bshanghai\b/i, "Asia/Shanghai"],
  [/\bseoul\b/i, "Asia/Seoul"],
  [/\btokyo\b|\bjapan\b/i, "Asia/Tokyo"],
  [/\bsydney\b/i, "Australia/Sydney"],
  [/\bauckland\b/i, "Pacific/Auckland"],
  [/\butc\b|\bgmt\b/i, "UTC"],
];

/** Map a time-zone mention ("in Tokyo", "in Europe/Paris", "UTC") to an IANA name, or undefined. */
export function findTimeZone(text: string): string | undefined {
  if (typeof text !== "string" || !text) return undefined;
  const t = text.length > 2000 ? text.slice(0, 2000) : text;
  const iana =
    /\b((?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)\/[A-Za-z_]+(?:\/[A-Za-z_]+)?)\b/i.exec(
      t,
    );
  if (iana && isValidTimeZone(iana[1])) return resolveTimeZone(iana[1]);
  for (const [re, zone] of CITY_ZONES) if (re.test(t)) return zone;
  return undefined;
}

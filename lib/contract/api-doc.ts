/**
 * docs/api.md, written from the contract module: the endpoints (openapi.ts), the objects
 * (schemas.ts) and the WebSocket events (events.ts). `npm run docs:api` writes it; a test fails
 * when the file and the code part ways.
 */
import { z } from "zod";
import { CONTROL_FRAMES, EVENTS } from "./events";
import { endpoints } from "./openapi";
import * as S from "./schemas";

type JsonSchema = {
  type?: string | string[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  maxLength?: number;
  description?: string;
  id?: string;
};

const OBJECTS: Array<[string, z.ZodType]> = [
  ["Agent", S.AgentSchema],
  ["Tool", S.ToolSchema],
  ["Assignment", S.AssignmentSchema],
  ["Session", S.SessionSchema],
  ["Message", S.MessageSchema],
  ["RunLog", S.RunLogSchema],
  ["SessionState", S.SessionStateSchema],
];

function typeOf(schema: JsonSchema): string {
  if (schema.id) return schema.id;
  if (schema.$ref) return schema.$ref.split("/").pop()!;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(typeOf).join(" \\| ");
  if (schema.type === "array") return `${typeOf(schema.items ?? {})}[]`;
  if (schema.type === "integer" || schema.type === "number") return schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(" \\| ");
  if (schema.type === "object" && schema.properties) return "object";
  return schema.type ?? "JSON";
}

/** A named schema comes back as a `$ref` into its `$defs`: the object itself. */
function bodyOf(json: JsonSchema): JsonSchema {
  return json.$ref && json.$defs ? (json.$defs[json.$ref.split("/").pop()!] ?? json) : json;
}

/** One row per field: name, type, notes (limits and descriptions). */
function fieldRows(schema: z.ZodType): string[] {
  // Nested named objects are shown by name, not expanded.
  const json = bodyOf(z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as JsonSchema);
  const rows: string[] = [];
  for (const [name, field] of Object.entries(json.properties ?? {})) {
    const notes = [
      field.description?.replace(/\.$/, ""),
      field.maxLength !== undefined ? `at most ${field.maxLength} characters` : undefined,
    ]
      .filter(Boolean)
      .join("; ");
    const optional = json.required?.includes(name) ? "" : " (optional)";
    rows.push(`| \`${name}\` | ${typeOf(field)}${optional} | ${notes} |`);
  }
  return rows;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderApiDoc(): string {
  const out: string[] = [];
  out.push(
    "# Tandem API",
    "",
    "<!-- Written by `npm run docs:api` from lib/contract (endpoints, objects, events); edit those, not this file. -->",
    "",
    "External frontends written for Tandem's Django/DRF/Channels predecessor keep working against Tandem unchanged:",
    "what they rely on is marked **compat** and never changes; what Tandem adds is marked **ext** (extensions only add",
    "fields, never remove or rename them). The machine-readable form is `/api/openapi.json` (OpenAPI 3.1); `/docs`",
    "renders it.",
    "",
    "## Conventions",
    "",
    "- Base path `/api/`; a root mirror answers the same paths without the prefix (`/health/`, `/sessions/...`,",
    "  `/messages/...`, `/agents/`, `/teams/`, `/tools/`). Every path answers with and without the trailing slash, for every",
    "  method, with no redirect.",
    "- JSON in, JSON out. Timestamps are ISO 8601 UTC (`2026-01-02T03:04:05.678Z`). A session is addressed by its",
    "  `session_id` (at most 64 characters: letters, digits, `-`, `_`, `.`, `:`).",
    '- Errors are JSON: `{"detail": "..."}`, or `{field: [messages]}` for invalid input (400). Malformed JSON, wrong',
    "  types and over-long values are 400, never 500; an unknown path under `/api/` is a JSON 404.",
    "- CORS: `TANDEM_CORS_ORIGINS` (default every origin, echoed back with credentials allowed).",
    "- Authentication: with `TANDEM_API_KEYS` set, every path but health and readiness needs",
    "  `Authorization: Bearer <key>` (the WebSocket also takes `?token=<key>`); 401 otherwise.",
    "- Rate limit: with `TANDEM_SEND_RATE` set, sends over the rate answer 429 with `Retry-After`.",
    '- Theme: answers that describe a session carry `theme_hint: "Ocean Professional"` (primary `#2563EB`,',
    "  secondary `#F59E0B`).",
    "",
    "## Endpoints",
    "",
    "| method | path | | what | answers |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const [path, ops] of Object.entries(endpoints)) {
    for (const [method, op] of Object.entries(ops)) {
      const answers = [
        String(op.ok.status),
        ...(path.endsWith("/send/") ? ["202"] : []),
        ...(op.errors ?? []).map(String),
      ];
      const what = cell(op.description ? `${op.summary}. ${op.description}` : op.summary);
      out.push(
        `| ${method.toUpperCase()} | \`${path}\` | ${op.compat ? "compat" : "ext"} | ${what} | ${answers.join(", ")} |`,
      );
    }
  }
  out.push(
    "",
    "Query parameters of each endpoint are in `/api/openapi.json`.",
    "",
    "## Objects",
    "",
    "Field names are the compat ones (snake_case). Deleting a session deletes its assignments, messages and run",
    "logs; an agent assigned to a session cannot be deleted; deleting an agent leaves `agent` null on its messages",
    "and run logs.",
  );
  for (const [name, schema] of OBJECTS) {
    out.push("", `### ${name}`, "", "| field | type | notes |", "| --- | --- | --- |", ...fieldRows(schema));
  }
  out.push(
    "",
    "### Enumerations",
    "",
    `- Message \`role\`: ${S.MESSAGE_ROLES.map((r) => `\`${r}\``).join(", ")}.`,
    `- Run log \`status\`: ${S.RUN_STATUSES.map((r) => `\`${r}\``).join(", ")} (\`queued\` and \`cancelled\` are ext).`,
    "",
    "## WebSocket `/ws/chat/{session_id}/`",
    "",
    'With or without the trailing slash. Every broadcast is `{"event": <name>, "payload": {...}, "seq": <n>}`;',
    "`seq` numbers a session's events. Reconnect with `?since=<seq>` to receive the events you missed first (from a",
    "bounded window), then live ones. Within one run the order is: `run_started`, `message_created` for the user's",
    "message, then per agent `agent_started`, its tokens, tool calls and results, `message_created` and",
    "`agent_turn`, and last exactly one of `run_completed`, `run_error` or `run_cancelled`.",
    "",
    "### Frames that are not broadcasts",
    "",
    "| frame | |",
    "| --- | --- |",
    ...Object.entries(CONTROL_FRAMES).map(([name, text]) => `| \`${name}\` | ${cell(text)} |`),
    "",
    "### Events",
    "",
    "| event | | payload | meaning |",
    "| --- | --- | --- | --- |",
  );
  for (const [name, spec] of Object.entries(EVENTS)) {
    const json = bodyOf(z.toJSONSchema(spec.payload, { io: "input", unrepresentable: "any" }) as JsonSchema);
    const fields = Object.entries(json.properties ?? {})
      .map(([field, schema]) => `\`${field}\`${json.required?.includes(field) ? "" : "?"}: ${typeOf(schema)}`)
      .join(", ");
    out.push(`| \`${name}\` | ${spec.compat ? "compat" : "ext"} | ${fields} | ${cell(spec.description)} |`);
  }
  out.push("");
  return out.join("\n");
}

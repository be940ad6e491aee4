/**
 * The API's request and response schemas, in zod. Requests are validated with these; the OpenAPI
 * document (openapi.ts) is generated from the same objects, and serializers are typed by them.
 */
import { z } from "zod";
import { SESSION_ID_PATTERN } from "@/lib/ids";
import { withoutBidiControls } from "@/lib/text";
import { toolSchemaProblems } from "./json-schema";

// ---------------------------------------------------------------------------------------------
// 1. Building blocks
// ---------------------------------------------------------------------------------------------

/** Text as the databases can store it: PostgreSQL refuses NUL characters in text and jsonb. */
const NUL = "\u0000";
const NUL_MESSAGE = "Null characters are not allowed.";
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes(NUL), NUL_MESSAGE);
/** A session title: text, stored without bidi controls (see lib/text.ts). */
const title = () => text(200).overwrite(withoutBidiControls);

export const SessionIdSchema = z
  .string()
  .max(64)
  .regex(SESSION_ID_PATTERN, "Use 1-64 letters, digits, '-', '_', '.' or ':' (not starting with '.').");

/** Any JSON value (one shared instance, so the OpenAPI document names it once). */
export const JsonValue: z.ZodType<z.core.util.JSONType> = z
  .lazy(() =>
    z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
  )
  .meta({ id: "JsonValue" });

export const MAX_JSON_DEPTH = 32;
export const TOO_DEEP_MESSAGE = `Nested deeper than ${MAX_JSON_DEPTH} levels.`;

/**
 * Whether objects and arrays in `value` nest deeper than `limit`. Iterative and stopping early,
 * because a hostile body may nest 100,000 levels (recursion, zod's included, would overflow).
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
const hasNul = (value: unknown): boolean =>
  typeof value === "string"
    ? value.includes(NUL)
    : value !== null &&
      typeof value === "object" &&
      Object.entries(value).some(([k, v]) => k.includes(NUL) || hasNul(v));

/** Free-form JSON, bounded in depth so no client can make the server recurse forever. */
const jsonObject = z
  .record(z.string(), JsonValue)
  .refine((v) => !nestedDeeperThan(v, MAX_JSON_DEPTH), TOO_DEEP_MESSAGE)
  .refine((v) => !hasNul(v), NUL_MESSAGE);
export const JsonObjectSchema = jsonObject.nullable();

/**
 * A session's metadata is stored and sent back in every list, so it is bounded by its size as
 * JSON (UTF-8): a list of 1,000 sessions then stays within 16 MiB of metadata.
 */
export const MAX_METADATA_BYTES = 16 * 1024;
/** The longest `content` of a `tool` message: one line a chat bubble can show. */
export const MAX_TOOL_SUMMARY_LENGTH = 200;
export const MetadataSchema = jsonObject
  .refine(
    (v) => Buffer.byteLength(JSON.stringify(v)) <= MAX_METADATA_BYTES,
    `Ensure this value is no more than ${MAX_METADATA_BYTES} bytes as JSON.`,
  )
  .nullable()
  .describe(`A JSON object (or null), at most ${MAX_METADATA_BYTES} bytes (16 KiB) as JSON.`);

const Timestamp = z.iso.datetime().describe("ISO 8601 UTC timestamp");
const Id = z.number().int();

// ---------------------------------------------------------------------------------------------
// 2. Objects (responses)
// ---------------------------------------------------------------------------------------------

export const AgentSchema = z
  .object({
    id: Id,
    name: z.string().max(64),
    role: z.string().max(128),
    description: z.string().describe("The agent's system prompt."),
    model_hint: z
      .string()
      .max(128)
      .describe("Model id for this agent ('offline', 'gpt-4o-mini', ...); empty: TANDEM_MODEL."),
    is_active: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Agent" });

export const ToolSchema = z
  .object({
    id: Id,
    name: z.string().max(128),
    description: z.string(),
    schema: z.record(z.string(), JsonValue).nullable().describe("The tool's parameter JSON Schema."),
    is_active: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Tool" });

export const AssignmentSchema = z
  .object({
    id: Id,
    session: Id.describe("The session's integer id."),
    agent: AgentSchema,
    order: z.number().int(),
    prompt_override: z.string(),
    tools: z.array(ToolSchema),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Assignment" });

export const SessionSchema = z
  .object({
    id: Id,
    session_id: z.string().max(64),
    title: z.string().max(200),
    user_id: z.string().max(128),
    metadata: z
      .record(z.string(), JsonValue)
      .nullable()
      .describe(`At most ${MAX_METADATA_BYTES} bytes as JSON when written.`),
    assignments: z.array(AssignmentSchema),
    pinned: z.boolean().describe("ext: pinned chats list first in the `-last_message_at` order (`PATCH` `pinned`)."),
    last_message_at: Timestamp.describe(
      "ext: when its latest message was stored (its creation while it has none); a rename leaves it alone.",
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Session" });

export const SessionSummarySchema = z
  .object({
    session_id: z.string().max(64),
    title: z.string().max(200),
    pinned: z.boolean().describe("ext: pinned chats list first in the `-last_message_at` order (`PATCH` `pinned`)."),
    last_message_at: Timestamp.describe(
      "ext: when its latest message was stored (its creation while it has none); a rename leaves it alone.",
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
    message_count: z.number().int(),
  })
  .meta({ id: "SessionSummary", description: "A session as `GET /api/sessions/?view=summary` lists it." });

/** How a team's members work together (lib/agents/processes.ts). */
export const TEAM_PROCESSES = ["sequential", "review", "consult"] as const;
export const TeamProcessSchema = z
  .enum(TEAM_PROCESSES)
  .describe(
    "`sequential`: each member once, in order. `review`: the members before the last draft, the last reviews " +
      "and gives a verdict through a tool; on requested changes the drafters revise, for at most `max_rounds` " +
      "rounds. `consult`: each member once, in order, and each may ask a teammate questions (`ask_<teammate>` " +
      "tools) whose answers are nested, stored turns. A session created from a team keeps its process.",
  );
export const MAX_TEAM_ROUNDS = 10;

export const TeamMemberSchema = z
  .object({
    id: Id,
    order: z.number().int(),
    agent: AgentSchema,
    prompt_override: z.string(),
    tools: z.array(ToolSchema),
  })
  .meta({ id: "TeamMember" });

export const TeamSchema = z
  .object({
    id: Id,
    name: z.string().max(64),
    description: z.string().max(500),
    process: z.string().describe("How the members work together (see TeamWrite.process)."),
    max_rounds: z.number().int().describe("The process's cap on rounds."),
    is_default: z.boolean().describe("New sessions get this team's members as their assignments."),
    members: z.array(TeamMemberSchema).describe("In run order."),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Team", description: "A preset of agents: a session given it gets its members as assignments." });

/** Who wrote a message. */
export const MESSAGE_ROLES = ["user", "agent", "system", "tool"] as const;
export const MessageRoleSchema = z.enum(MESSAGE_ROLES);
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** A person's verdict on an agent's turn. */
export const RATINGS = ["up", "down"] as const;
export const RatingSchema = z.enum(RATINGS);
export type Rating = (typeof RATINGS)[number];

export const MessageSchema = z
  .object({
    id: Id,
    session: Id.describe("The session's integer id."),
    role: MessageRoleSchema,
    agent: AgentSchema.nullable(),
    content: z
      .string()
      .describe(
        `The text. For a \`tool\` message, one readable line of at most ${MAX_TOOL_SUMMARY_LENGTH} characters, ` +
          "such as `calculator: 12 * (3 + 4) → 84` or `calculator: 1/0 → error: Division by zero`; " +
          "the call itself is in tool_name, tool_input and tool_output.",
      ),
    tool_name: z.string(),
    tool_input: JsonValue.nullable(),
    tool_output: JsonValue.nullable(),
    tokens_prompt: Id.nullable(),
    tokens_completion: Id.nullable(),
    latency_ms: Id.nullable(),
    metadata: z.record(z.string(), JsonValue).nullable(),
    rating: RatingSchema.nullable().describe(
      "ext: a person's verdict on an agent's turn (`PUT /api/messages/{id}/rating/`); null when none.",
    ),
    run_id: Id.nullable().describe(
      "ext: the run that wrote it (a user message: the run it started, or steered); null for messages from before runs were recorded on messages.",
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Message" });

/** A run log's status: `queued` while it waits its turn in the session's queue, `running` until it ends in one of the others (compat: running, success, error). */
export const RUN_STATUSES = ["queued", "running", "success", "error", "cancelled"] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = (typeof RUN_STATUSES)[number];
export type EndedRunStatus = Exclude<RunStatus, "running" | "queued">;

/** How a run came to be: a new message, or another version of a turn (ext). */
export const RUN_KINDS = ["send", "regenerate", "edit", "retry", "continue"] as const;
export const RunKindSchema = z.enum(RUN_KINDS);

export const RunLogSchema = z
  .object({
    id: Id,
    session: Id.describe("The session's integer id."),
    agent: AgentSchema.nullable(),
    status: RunStatusSchema,
    details: z.string(),
    extra: z
      .record(z.string(), JsonValue)
      .nullable()
      .describe(
        "Metrics: duration, tokens per agent. ext: `process` (review, consult): its `outcome`, tokens per round and per consultation, and the run's token and time budget.",
      ),
    kind: RunKindSchema.describe("ext"),
    parent_run_id: Id.nullable().describe("ext: the run whose turn this one follows (null: the first turn)."),
    user_message_id: Id.nullable().describe("ext: the user message it answers."),
    resumes_run_id: Id.nullable().describe("ext: for `continue`, the run it resumes."),
    created_at: Timestamp.describe("When it started (a queued run: when it was queued, until it starts)."),
    updated_at: Timestamp,
  })
  .meta({ id: "RunLog" });

export const SearchResultSchema = z
  .object({
    message_id: Id,
    session_id: z.string(),
    session_title: z.string(),
    role: MessageRoleSchema,
    agent: z.string().nullable().describe("The agent's name, for agent and tool messages."),
    created_at: Timestamp,
    snippet: z.string().describe("The message's text around the matches (… where text was left out)."),
    highlights: z
      .array(z.tuple([z.number().int(), z.number().int()]))
      .describe("The matched words in `snippet`, as [start, end) offsets in UTF-16 code units."),
  })
  .meta({ id: "SearchResult" });
export const QueuedRunSchema = z
  .object({
    run_id: Id,
    kind: RunKindSchema,
    position: z.number().int().min(1).describe("1: the next to run."),
    message_id: Id.describe("The user message it will answer."),
    content: z.string(),
    message: MessageSchema,
  })
  .meta({ id: "QueuedRun", description: "ext: a run waiting behind the session's running run." });

const VersionsSchema = z.object({
  index: z.number().int().min(0).describe("This turn's place among `run_ids` (0-based)."),
  count: z.number().int().min(1),
  run_ids: z.array(Id),
});

export const TurnSchema = z
  .object({
    run_id: Id.describe("The turn's run (a continuation's target: continuations fold into it)."),
    kind: RunKindSchema,
    status: RunStatusSchema.describe("The turn's state: its latest continuation's, else its run's."),
    error: z.string().nullable().describe("Why it failed, in words a person can act on (status `error`), else null."),
    user_message_id: Id.nullable(),
    message_ids: z.array(Id).describe("Its messages, chronological: the user message first."),
    continued_by: z.array(Id).describe("Runs that continued it (`continue`), oldest first."),
    started_at: Timestamp,
    ended_at: Timestamp.nullable(),
    versions: VersionsSchema.describe(
      "Answer versions: sibling runs for the same user message (regenerated, retried), oldest first; `select` one to switch.",
    ),
    edits: VersionsSchema.extend({ user_message_ids: z.array(Id) }).describe(
      "Message versions: the distinct user messages among the siblings (edits), oldest first; `run_ids[i]` is the newest run of `user_message_ids[i]`.",
    ),
  })
  .meta({ id: "Turn", description: "ext: one turn of the conversation's active path." });

export const THEME = { primary: "#2563EB", secondary: "#F59E0B" } as const;
export const THEME_HINT = "Ocean Professional";

export const SessionStateSchema = z
  .object({
    session_id: z.string(),
    title: z.string(),
    user_id: z.string(),
    message_count: z.number().int(),
    assignments: z.array(
      z.object({ order: z.number().int(), agent: z.string(), role: z.string(), prompt_override: z.boolean() }),
    ),
    theme_hint: z.literal(THEME_HINT),
    theme: z.object({ primary: z.literal(THEME.primary), secondary: z.literal(THEME.secondary) }),
    run: z.object({ id: Id, status: RunStatusSchema }).nullable(),
  })
  .meta({ id: "SessionState" });

export const HealthSchema = z.object({ message: z.literal("Server is up!") }).meta({ id: "Health" });

export const ErrorSchema = z
  .union([z.object({ detail: z.string() }), z.record(z.string(), z.array(z.string()))])
  .meta({ id: "Error", description: '`{"detail": "..."}` or `{field: [messages]}`' });

export const AcceptedSendSchema = z
  .object({
    run_id: Id,
    message: MessageSchema,
    status: z
      .enum(["running", "queued", "steering"])
      .optional()
      .describe(
        "ext: `running` (started at once), `queued` (waits behind the running run) or `steering` (joined the running run `run_id` as guidance).",
      ),
    position: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("ext: place in the queue (1: next); 0 when it started at once."),
  })
  .meta({ id: "AcceptedSend" });
export const CancelledSchema = z
  .object({
    run_id: Id,
    status: z.literal("cancelled"),
    queue: z
      .object({ pending: z.number().int(), next_run_id: Id.nullable() })
      .optional()
      .describe("ext: the runs still queued (the next starts now), unless `clear_queue` removed them."),
  })
  .meta({ id: "Cancelled" });
export const SelectedSchema = z.object({ head_run_id: Id }).meta({ id: "Selected" });

// ---------------------------------------------------------------------------------------------
// 3. Requests
// ---------------------------------------------------------------------------------------------

/** A team as a client names it: its id or its name. */
const TeamRefSchema = z.union([Id.positive(), z.string().trim().min(1, "Name a team.").max(64)]);

export const SessionCreateSchema = z
  .object({
    session_id: SessionIdSchema.optional().describe("Omit it and the server generates a URL-safe id."),
    title: title().optional(),
    user_id: text(128).optional(),
    metadata: MetadataSchema.optional(),
    team: TeamRefSchema.optional().describe(
      "ext: the team (name or id) whose members are assigned; default: the default team.",
    ),
  })
  .meta({ id: "SessionCreate" });

export const SessionUpdateSchema = z
  .object({
    session_id: z.string().optional().describe("Read-only: may be sent, must equal the session's id."),
    title: title().optional(),
    user_id: text(128).optional(),
    metadata: MetadataSchema.optional(),
    team: TeamRefSchema.optional().describe(
      "ext: replaces the session's assignments with this team's members (name or id).",
    ),
    pinned: z
      .boolean()
      .optional()
      .describe("ext: pin the chat (it lists first in the `-last_message_at` order) or unpin it."),
  })
  .meta({ id: "SessionUpdate" });

export const MAX_CONTENT_LENGTH = 32_000;

export const SendSchema = z
  .object({
    content: text(MAX_CONTENT_LENGTH),
    async: z.boolean().optional().describe("Answer 202 at once; the run reports over the WebSocket."),
    steer: z
      .boolean()
      .optional()
      .describe(
        "ext: while a run is going, join it as guidance (stored at once, read by every agent whose turn comes after; 202 `status: steering`, sync or not). With no run going: an ordinary send.",
      ),
  })
  .meta({ id: "Send" });

export const RateMessageSchema = z
  .object({ rating: RatingSchema.nullable().describe("`up`, `down`, or null to take the rating back.") })
  .meta({ id: "RateMessage" });

const asyncFlag = z.boolean().optional().describe("Answer 202 at once; the run reports over the WebSocket.");

export const CancelSchema = z
  .object({ clear_queue: z.boolean().optional().describe("ext: also remove the session's queued runs.") })
  .meta({ id: "Cancel" });

export const QueueEditSchema = z.object({ content: text(MAX_CONTENT_LENGTH) }).meta({ id: "QueueEdit" });

export const RunTargetSchema = z
  .object({
    run_id: Id.optional().describe("The turn's run; default: the last run of the active path."),
    async: asyncFlag,
  })
  .meta({ id: "RunTarget" });

export const EditSchema = z
  .object({
    message_id: Id.describe("A user message on the active path."),
    content: text(MAX_CONTENT_LENGTH),
    async: asyncFlag,
  })
  .meta({ id: "Edit" });

export const SelectSchema = z.object({ run_id: Id }).meta({ id: "Select" });

// Query strings arrive as text; empty values count as absent.
const queryInt = (min: number, max: number) =>
  z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(min).max(max).optional());
const queryText = (max: number) => z.preprocess((v) => (v === "" ? undefined : v), text(max).optional());

/** Lists answer pages: this many items unless `limit` says otherwise, at most MAX_PAGE_SIZE. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/**
 * History answers up to MAX_PAGE_SIZE messages by default: the compat client reads the whole chat
 * from one call, and a chat of that length still makes a bounded answer.
 */
export const DEFAULT_HISTORY_SIZE = MAX_PAGE_SIZE;

const pageLimit = (fallback: number) =>
  queryInt(1, MAX_PAGE_SIZE)
    .transform((v) => v ?? fallback)
    .describe(
      `Items per page (default ${fallback}, at most ${MAX_PAGE_SIZE}); a \`Link: <…>; rel="next"\` header points to the next page.`,
    );

export const PageQuery = z.object({
  limit: pageLimit(DEFAULT_PAGE_SIZE),
  offset: queryInt(0, 1_000_000_000).transform((v) => v ?? 0),
});
const SESSION_ORDERINGS = {
  "-created_at": "created",
  "-updated_at": "updated",
  "-last_message_at": "activity",
} as const;
export const SessionListQuery = PageQuery.extend({
  user_id: queryText(128),
  view: z
    .preprocess((v) => (v === "" ? undefined : v), z.enum(["full", "summary"]).optional())
    .describe(
      "`summary`: only `session_id`, `title`, `pinned`, `last_message_at`, `created_at`, `updated_at`, `message_count` per session (for sidebars).",
    ),
  ordering: z
    .preprocess(
      (v) => (v === "" ? undefined : v),
      z.enum(["-created_at", "-updated_at", "-last_message_at"]).optional(),
    )
    .transform((v) => SESSION_ORDERINGS[v ?? "-created_at"])
    .describe(
      "`-created_at` (default): newest first; `-updated_at`: latest changed first (a send, a rename, a pin); ext `-last_message_at`: the sidebar's order, pinned chats first (latest pinned first), then latest message first (a rename does not reorder).",
    ),
});
export const HistoryQuery = z.object({
  after: queryInt(0, Number.MAX_SAFE_INTEGER),
  limit: pageLimit(DEFAULT_HISTORY_SIZE),
  versions: z
    .preprocess((v) => (v === "" ? undefined : v), z.enum(["all"]).optional())
    .describe("ext: `all`: every message of the session, every version (each message's `run_id` tells its run)."),
});
export const MessageListQuery = PageQuery.extend({
  session: queryText(64),
  role: z.preprocess((v) => (v === "" ? undefined : v), MessageRoleSchema.optional()),
});
export const SearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, "This field may not be blank.")
    .max(200)
    .describe("Words to find; every word must match, each as the start of a word (`gear` finds `gears`)."),
  limit: queryInt(1, 50)
    .transform((v) => v ?? 20)
    .describe("Results per page (default 20, at most 50)."),
  offset: queryInt(0, 10_000).transform((v) => v ?? 0),
});
export const RunListQuery = PageQuery.extend({
  status: z.preprocess((v) => (v === "" ? undefined : v), RunStatusSchema.optional()),
});

// ---------------------------------------------------------------------------------------------
// 4. Writes of agents, tools and assignments (the admin pages' forms; an API write would use
//    the same objects)
// ---------------------------------------------------------------------------------------------

const required = (max: number) => text(max).trim().min(1, "This field may not be blank.");

export const AgentWriteSchema = z
  .object({
    name: required(64),
    role: required(128),
    description: text(20_000).describe("The agent's system prompt."),
    model_hint: text(128).trim(),
    is_active: z.boolean(),
  })
  .meta({ id: "AgentWrite" });

export const ToolWriteSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,64}$/,
        "Use 1-64 letters, digits, '_' or '-' (what model providers accept as a function name).",
      ),
    description: text(4000),
    schema: JsonObjectSchema.superRefine((value, ctx) => {
      if (value === null) return;
      for (const problem of toolSchemaProblems(value))
        ctx.addIssue({ code: "custom", message: `Not a valid JSON Schema: ${problem}` });
    }).describe("The tool's parameter JSON Schema (draft 2020-12 or draft-07), an object schema."),
    is_active: z.boolean(),
  })
  .meta({ id: "ToolWrite" });

export const AssignmentWriteSchema = z
  .object({
    agent: Id.positive("Choose an agent."),
    order: z.number().int().min(0).max(1000),
    prompt_override: text(20_000),
    tools: z.array(Id).max(100),
  })
  .meta({ id: "AssignmentWrite" });

export const TeamMemberWriteSchema = z.object({
  agent: Id.positive("Choose an agent."),
  prompt_override: text(20_000),
  tools: z.array(Id).max(100),
});

export const TeamWriteSchema = z
  .object({
    name: required(64),
    description: text(500).trim(),
    process: TeamProcessSchema,
    max_rounds: z.number().int().min(1).max(MAX_TEAM_ROUNDS),
    is_default: z.boolean(),
    members: z.array(TeamMemberWriteSchema).min(1, "A team needs at least one member.").max(20),
  })
  .meta({ id: "TeamWrite" });

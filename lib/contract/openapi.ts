/**
 * The OpenAPI 3.1 document, generated from the zod schemas that validate requests and type the
 * serializers (schemas.ts), so the documentation cannot drift from the code.
 */
import { z } from "zod";
import * as S from "./schemas";
import * as T from "./transfer";

export type Op = {
  /** The old backend had it (its answers are frozen); otherwise a Tandem extension. */
  compat: boolean;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** `array`: a list of `schema` (or, with `alternative`, of either); `paged`: with the paging headers. */
  ok: {
    status: number;
    schema?: z.ZodType;
    alternative?: z.ZodType;
    description: string;
    array?: boolean;
    paged?: boolean;
    /** Also answers `text/markdown` (a query parameter chooses), as a download (`Content-Disposition`). */
    markdown?: boolean;
  };
  errors?: number[];
  /** What an error status means for this operation, where the general wording would mislead. */
  errorNotes?: Partial<Record<number, string>>;
  /** Opens a run: also answers 202 (async, queued, steering). */
  opensRun?: boolean;
  tag: string;
  /** Stable and unique: client generators name their methods after it. */
  operationId: string;
};

const ref = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
};

const errorText: Record<number, string> = {
  400: "Invalid input",
  401: "Credentials are required (TANDEM_API_KEYS set, or TANDEM_AUTH=accounts) and were missing or wrong",
  404: "Not found (with accounts, also another user's session: never 403, so its existence is not told)",
  409: "Conflict (a run is going, or none is)",
  413: "Body over 1 MiB",
  429: "Too many: over the send rate (TANDEM_SEND_RATE, per user with accounts) or the user's messages a day (TANDEM_USER_DAILY_MESSAGES; see Retry-After), or the session's queue is full (TANDEM_QUEUE_LIMIT); nothing was stored",
  502: "The model provider failed",
};

/** Paths anyone may call, with or without API keys (lib/api/auth.ts). */
const OPEN_PATHS = new Set(["/api/health/", "/api/ready/"]);

const errorExample = (status: number) =>
  ({
    400: { content: ["This field is required."] },
    401: { detail: "Authentication credentials were not provided." },
    404: { detail: "Not found." },
    409: { detail: "A run is already in progress for this session; wait for it to finish or cancel it." },
    413: { detail: "Request body is too large (the limit is 1048576 bytes)." },
    429: { detail: "Too many messages sent; try again in 3 s." },
    502: { detail: "The model provider failed: 503 Service Unavailable." },
  })[status] ?? { detail: errorText[status] };

const TAGS = {
  health: "Liveness and readiness, open without an API key.",
  sessions: "Chat sessions: create, list, rename, delete; their state and team.",
  messages: "Messages of a session and across sessions.",
  runs: "A run: the agents answering one message. Send, cancel, list.",
  agents: "The agents and tools (edited by admins in /admin).",
  transfer: "Chats taken out as JSON or Markdown, and brought in (Tandem's export or ChatGPT's).",
};

const sessionParam = { name: "session_id", in: "path", required: true, schema: { type: "string", maxLength: 64 } };

export const endpoints: Record<string, Record<string, Op>> = {
  "/api/health/": {
    get: {
      compat: true,
      tag: "health",
      operationId: "getHealth",
      summary: "Liveness (compat: exactly this body)",
      ok: { status: 200, schema: S.HealthSchema, description: "Up" },
    },
  },
  "/api/ready/": {
    get: {
      compat: false,
      tag: "health",
      operationId: "getReadiness",
      summary: "Readiness: the database takes a write and the channel layer answers",
      ok: { status: 200, description: "Ready (503 when not)" },
    },
  },
  "/api/sessions/": {
    get: {
      compat: true,
      tag: "sessions",
      operationId: "listSessions",
      summary: "List sessions, newest first, a page at a time",
      description:
        "Sessions, or with `view=summary` SessionSummary objects (no assignments), " +
        `${S.DEFAULT_PAGE_SIZE} per page unless \`limit\` says otherwise. ` +
        "ext `ordering=-last_message_at`: the sidebar's order (pinned first, then by latest message).",
      query: S.SessionListQuery,
      ok: {
        status: 200,
        schema: S.SessionSchema,
        alternative: S.SessionSummarySchema,
        array: true,
        paged: true,
        description: "Sessions",
      },
      errors: [400],
    },
    post: {
      compat: true,
      tag: "sessions",
      operationId: "createSession",
      summary: "Create a session (the default team's agents, or those of `team`, are assigned)",
      body: S.SessionCreateSchema,
      ok: { status: 201, schema: S.SessionSchema, description: "Created" },
      errors: [400, 413],
    },
  },
  "/api/sessions/{session_id}/": {
    get: {
      compat: true,
      tag: "sessions",
      operationId: "getSession",
      summary: "A session",
      ok: { status: 200, schema: S.SessionSchema, description: "The session" },
      errors: [404],
    },
    put: {
      compat: true,
      tag: "sessions",
      operationId: "replaceSession",
      summary: "Update title, user_id, metadata (ext: `team` replaces the assignments)",
      description: "ext: `pinned` pins or unpins the chat.",
      body: S.SessionUpdateSchema,
      ok: { status: 200, schema: S.SessionSchema, description: "Updated" },
      errors: [400, 404],
    },
    patch: {
      compat: true,
      tag: "sessions",
      operationId: "updateSession",
      summary: "Update title, user_id, metadata (ext: `team` replaces the assignments)",
      description: "ext: `pinned` pins or unpins the chat.",
      body: S.SessionUpdateSchema,
      ok: { status: 200, schema: S.SessionSchema, description: "Updated" },
      errors: [400, 404],
    },
    delete: {
      compat: true,
      tag: "sessions",
      operationId: "deleteSession",
      summary: "Delete with its assignments, messages and run logs",
      ok: { status: 204, description: "Deleted" },
      errors: [404],
    },
  },
  "/api/sessions/{session_id}/history/": {
    get: {
      compat: true,
      tag: "messages",
      operationId: "getSessionHistory",
      summary: "The session's messages, chronological",
      description: `Up to ${S.DEFAULT_HISTORY_SIZE} messages unless \`limit\` says otherwise; a longer chat continues at the \`Link\` header's next page (\`?after=<last id>\`).`,
      query: S.HistoryQuery,
      ok: { status: 200, schema: S.MessageSchema, array: true, paged: true, description: "Messages" },
      errors: [400, 404],
    },
  },
  "/api/sessions/{session_id}/state/": {
    get: {
      compat: true,
      tag: "sessions",
      operationId: "getSessionState",
      summary: "Session summary for UIs",
      ok: { status: 200, schema: S.SessionStateSchema, description: "State" },
      errors: [404],
    },
  },
  "/api/sessions/{session_id}/send/": {
    post: {
      compat: true,
      tag: "runs",
      operationId: "sendMessage",
      summary: "Send a message; the assigned agents answer in order",
      description:
        "200: the messages the run created (user first). With `async: true`: 202 `{run_id, message}` at once, " +
        "the rest over the WebSocket. One run per session at a time: a send while a run is going is queued " +
        "(ext: 202 `status: queued, position`; a sync send waits for its own run and answers 200 with its " +
        "messages), 429 when the queue is full (`TANDEM_QUEUE_LIMIT`, nothing stored). ext `steer: true` " +
        "while a run is going: the message joins that run as guidance, 202 `status: steering` (sync or not).",
      body: S.SendSchema,
      ok: { status: 200, schema: S.MessageSchema, array: true, description: "The run's messages" },
      errors: [400, 404, 413, 429, 502],
      opensRun: true,
    },
  },
  "/api/sessions/{session_id}/queue/": {
    get: {
      compat: false,
      tag: "runs",
      operationId: "listQueuedRuns",
      summary: "The session's queued runs, next first",
      ok: { status: 200, schema: S.QueuedRunSchema, array: true, description: "Queued runs" },
      errors: [404],
    },
  },
  "/api/sessions/{session_id}/queue/{run_id}/": {
    patch: {
      compat: false,
      tag: "runs",
      operationId: "editQueuedRun",
      summary: "Edit a queued message (409 once its run started)",
      body: S.QueueEditSchema,
      ok: { status: 200, schema: S.QueuedRunSchema, description: "The queued run" },
      errors: [400, 404, 409],
    },
    delete: {
      compat: false,
      tag: "runs",
      operationId: "removeQueuedRun",
      summary: "Remove a queued run and its message",
      ok: { status: 204, description: "Removed" },
      errors: [404],
    },
  },
  ...versionEndpoints(),
  "/api/sessions/{session_id}/select/": {
    post: {
      compat: false,
      tag: "runs",
      operationId: "selectVersion",
      summary: "Switch to another version of a turn: the active path runs through `run_id`",
      description: "Publishes `path_changed`; history and turns then follow the new path. 409 while a run is going.",
      body: S.SelectSchema,
      ok: { status: 200, schema: S.SelectedSchema, description: "The new head run" },
      errors: [400, 404, 409],
    },
  },
  "/api/sessions/{session_id}/turns/": {
    get: {
      compat: false,
      tag: "runs",
      operationId: "listTurns",
      summary: "The active path's turns: status and failure, versions and edits",
      ok: { status: 200, schema: S.TurnSchema, array: true, description: "Turns, oldest first" },
      errors: [404],
    },
  },
  "/api/sessions/{session_id}/runs/": {
    get: {
      compat: false,
      tag: "runs",
      operationId: "listSessionRuns",
      summary: "The session's run logs, newest first",
      query: S.RunListQuery,
      ok: { status: 200, schema: S.RunLogSchema, array: true, paged: true, description: "Run logs" },
      errors: [400, 404],
    },
  },
  "/api/sessions/{session_id}/cancel/": {
    post: {
      compat: false,
      tag: "runs",
      operationId: "cancelRun",
      summary: "Stop the session's running run",
      description:
        "The queue is kept and its next run starts (ext `queue` says what waits); ext body `clear_queue: true` removes it first.",
      body: S.CancelSchema,
      ok: { status: 200, schema: S.CancelledSchema, description: "Cancelled" },
      errors: [404, 409],
    },
  },
  "/api/sessions/{session_id}/export/": {
    get: {
      compat: false,
      tag: "transfer",
      operationId: "exportSession",
      summary: "Download a chat: JSON (lossless, for import) or Markdown (to read)",
      description:
        "`format=json` (default): Tandem's own format, versioned (`format: tandem.chat`, `version`): the session, " +
        "its team, every run (every version of every turn: kind, parent, user message, resumed run, status, details, " +
        "extra) and every message of every branch (tool calls, ratings, metadata, `run_id`), and `head_run_id`; ids " +
        "are the chat's own (an import renumbers them). `format=md`: the active path as Markdown (`text/markdown`): " +
        "title, each message with its author and time, tool calls with their input and output, failed turns. Both " +
        "come with `Content-Disposition: attachment`.",
      query: T.ExportQuery,
      ok: { status: 200, schema: T.ChatExportSchema, markdown: true, description: "The chat, as a download" },
      errors: [400, 404],
    },
  },
  "/api/import/": {
    post: {
      compat: false,
      tag: "transfer",
      operationId: "importChats",
      summary: "Import chats: a Tandem export or ChatGPT's conversations.json",
      description:
        `Each conversation is validated alone and stored in one transaction as a new session (never over an ` +
        `existing chat): a bad one fails alone, none is half-imported. The answer reports per conversation what ` +
        `was imported (session_id, counts) and left out (system, tool and hidden messages, images and other ` +
        `non-text content, agents or tools this server lacks), and what failed and why: 201 when at least one ` +
        `was imported, else 400 with the same report and a \`detail\`. ChatGPT: each user message and the ` +
        `assistant messages after it form a run; sibling answers are regenerations, sibling user messages ` +
        `edits; \`current_node\` picks the active path; assistant messages belong to the session's writer ` +
        `(\`metadata.author: "assistant"\`). Bodies up to TANDEM_IMPORT_MAX_BYTES (25 MiB); at most ` +
        `${T.MAX_IMPORT_CHATS} conversations and ${T.MAX_IMPORT_MESSAGES} messages each.`,
      body: T.ImportBodySchema,
      ok: { status: 201, schema: T.ImportReportSchema, description: "Imported (at least one conversation)" },
      errors: [400, 413],
      errorNotes: {
        400: "Nothing imported (the report, with `detail`), or not JSON, or an unknown format",
        413: `Body over TANDEM_IMPORT_MAX_BYTES, or more than ${T.MAX_IMPORT_CHATS} conversations`,
      },
    },
  },
  "/api/agents/": {
    get: {
      compat: false,
      tag: "agents",
      operationId: "listAgents",
      summary: "Agents (edited in the admin pages)",
      ok: { status: 200, schema: S.AgentSchema, array: true, description: "Agents" },
    },
  },
  "/api/teams/": {
    get: {
      compat: false,
      tag: "agents",
      operationId: "listTeams",
      summary: "Teams (edited in the admin pages), the default first",
      description:
        "A session is created with the default team's members as its assignments, or with a team named in " +
        "`POST /api/sessions/` (`team`); `PATCH /api/sessions/{session_id}/` with `team` replaces them.",
      ok: { status: 200, schema: S.TeamSchema, array: true, description: "Teams with their members" },
    },
  },
  "/api/tools/": {
    get: {
      compat: false,
      tag: "agents",
      operationId: "listTools",
      summary: "Tools (edited in the admin pages)",
      ok: { status: 200, schema: S.ToolSchema, array: true, description: "Tools" },
    },
  },
  "/api/messages/": {
    get: {
      compat: true,
      tag: "messages",
      operationId: "listMessages",
      summary: "Messages across sessions",
      query: S.MessageListQuery,
      ok: { status: 200, schema: S.MessageSchema, array: true, paged: true, description: "Messages" },
      errors: [400],
    },
  },
  "/api/search/": {
    get: {
      compat: false,
      tag: "messages",
      operationId: "searchMessages",
      summary: "Search every conversation by the words of its messages",
      description:
        "Best matches first (the database's full-text ranking), each with a snippet and the matched words' offsets in it. An agent's message is found once it is finished, not while it streams.",
      query: S.SearchQuery,
      ok: { status: 200, schema: S.SearchResultSchema, array: true, paged: true, description: "Matching messages" },
      errors: [400],
    },
  },
  "/api/messages/{id}/": {
    get: {
      compat: true,
      tag: "messages",
      operationId: "getMessage",
      summary: "One message",
      ok: { status: 200, schema: S.MessageSchema, description: "The message" },
      errors: [404],
    },
  },
  "/api/messages/{id}/rating/": {
    put: {
      compat: false,
      tag: "messages",
      operationId: "rateMessage",
      summary: "Rate an agent's turn: thumbs up, down, or none",
      description:
        "Only agent messages take a rating (400 for others). Open windows of the session hear `message_updated`; " +
        "the admin dashboard counts ratings per agent.",
      body: S.RateMessageSchema,
      ok: { status: 200, schema: S.MessageSchema, description: "The rated message" },
      errors: [400, 404],
    },
  },
};

/** regenerate, retry, continue and edit: each opens a run like a send (same answers, same queue). */
function versionEndpoints(): Record<string, Record<string, Op>> {
  const opens = (operationId: string, summary: string, description: string, body: z.ZodType): Record<string, Op> => ({
    post: {
      compat: false,
      tag: "runs",
      operationId,
      summary,
      description: `${description} Answers like send: 200 with the run's messages, or 202 with \`async: true\` (queued while a run is going).`,
      body,
      ok: { status: 200, schema: S.MessageSchema, array: true, description: "The run's messages" },
      errors: [400, 404, 409, 413, 429, 502],
      opensRun: true,
    },
  });
  return {
    "/api/sessions/{session_id}/regenerate/": opens(
      "regenerateTurn",
      "Answer a turn's message again (default: the last turn)",
      "A new run for the same user message beside the old one (a version: `turns/` lists both).",
      S.RunTargetSchema,
    ),
    "/api/sessions/{session_id}/retry/": opens(
      "retryRun",
      "Retry a failed or cancelled run (default: the last turn)",
      "Like regenerate, for a run that ended `error` or `cancelled` (409 otherwise).",
      S.RunTargetSchema,
    ),
    "/api/sessions/{session_id}/continue/": opens(
      "continueRun",
      "Continue a failed or cancelled run where it stopped (default: the last turn)",
      "The cut-off agent's message grows from where it stopped (`agent_token` offsets continue from its length), then the agents that had not taken their turn do. 409 unless the run ended `error` or `cancelled`.",
      S.RunTargetSchema,
    ),
    "/api/sessions/{session_id}/edit/": opens(
      "editMessage",
      "Send a new version of a user message of the active path",
      "A new user message (`metadata.edit_of`) answered from the same point of the conversation; the old version stays.",
      S.EditSchema,
    ),
  };
}

const pagingHeaders = {
  "X-Total-Count": { description: "How many items match the query, over all pages.", schema: { type: "integer" } },
  Link: {
    description:
      'RFC 8288 `<path?query>; rel="next"` while more items remain: the same request with the next page\'s parameters.',
    schema: { type: "string" },
  },
};

const downloadHeaders = {
  "Content-Disposition": {
    description: 'A download: `attachment; filename="tandem-<title>-<date>.<json|md>"`.',
    schema: { type: "string" },
  },
};

function queryParameters(query?: z.ZodObject) {
  if (!query) return [];
  return Object.entries(query.shape).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    schema: z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }),
  }));
}

const hasRequiredFields = (body: z.ZodType) => {
  const schema = z.toJSONSchema(body, { io: "input", unrepresentable: "any" }) as { required?: string[] };
  return (schema.required?.length ?? 0) > 0;
};

function operation(path: string, op: Op) {
  const parameters = [
    ...(path.includes("{session_id}") ? [sessionParam] : []),
    ...(path.includes("{id}") ? [{ name: "id", in: "path", required: true, schema: { type: "integer" } }] : []),
    ...(path.includes("{run_id}") ? [{ name: "run_id", in: "path", required: true, schema: { type: "integer" } }] : []),
    ...queryParameters(op.query),
  ];
  const item =
    op.ok.schema && (op.ok.alternative ? { oneOf: [ref(op.ok.schema), ref(op.ok.alternative)] } : ref(op.ok.schema));
  const okContent = item
    ? {
        "application/json": { schema: op.ok.array ? { type: "array", items: item } : item },
        ...(op.ok.markdown ? { "text/markdown": { schema: { type: "string" } } } : {}),
      }
    : undefined;
  const responses: Record<string, unknown> = {
    [op.ok.status]: {
      description: op.ok.description,
      content: okContent,
      headers: op.ok.paged ? pagingHeaders : op.ok.markdown ? downloadHeaders : undefined,
    },
  };
  if (op.opensRun) {
    responses[202] = {
      description: "Accepted (async, queued or steering)",
      content: { "application/json": { schema: ref(S.AcceptedSendSchema) } },
    };
  }
  const open = OPEN_PATHS.has(path);
  const errors = new Set(op.errors ?? []);
  if (!open) errors.add(401);
  if (path.endsWith("/send/") || path.endsWith("/edit/")) errors.add(429);
  for (const status of [...errors].sort()) {
    responses[status] = {
      description: op.errorNotes?.[status] ?? errorText[status],
      content: { "application/json": { schema: ref(S.ErrorSchema), example: errorExample(status) } },
      headers:
        status === 429 ? { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } } : undefined,
    };
  }
  return {
    operationId: op.operationId,
    tags: [op.tag],
    security: open ? [] : undefined,
    summary: op.summary,
    description: op.description,
    parameters: parameters.length ? parameters : undefined,
    // An empty body reads as `{}`, so a body none of whose fields is required may be left out.
    requestBody: op.body
      ? { required: hasRequiredFields(op.body), content: { "application/json": { schema: ref(op.body) } } }
      : undefined,
    responses,
  };
}

let cached: object | undefined;

/**
 * The named schemas of this copy of schemas.ts. Next bundles route handlers and pages
 * separately, so several copies register the same ids in zod's process-wide global registry;
 * converting that registry then fails ("Duplicate schema id"), so only this copy's are used.
 */
function ownSchemas() {
  const registry = z.registry<{ id: string }>();
  for (const value of [...Object.values(S), ...Object.values(T)]) {
    if (!(value instanceof z.ZodType)) continue;
    const id = z.globalRegistry.get(value)?.id;
    if (id) registry.add(value, { id });
  }
  return registry;
}

const MESSAGE_EXAMPLE = {
  id: 42,
  session: 7,
  role: "user",
  agent: null,
  content: "What is 12 * (3 + 4)?",
  tool_name: "",
  tool_input: null,
  tool_output: null,
  tokens_prompt: null,
  tokens_completion: null,
  latency_ms: null,
  metadata: null,
  created_at: "2026-12-05T10:00:00.000Z",
  updated_at: "2026-12-05T10:00:00.000Z",
};

/** Examples of the named schemas, for readers and for client generators' docs. */
const EXAMPLES: Record<string, unknown> = {
  SessionCreate: { session_id: "support-4711", title: "Trip to Lisbon", user_id: "u-19", metadata: { source: "web" } },
  SessionUpdate: { title: "Trip to Lisbon, May" },
  Send: { content: "What is 12 * (3 + 4)?" },
  Message: MESSAGE_EXAMPLE,
  AcceptedSend: { run_id: 31, message: MESSAGE_EXAMPLE },
  Cancelled: { run_id: 31, status: "cancelled" },
  Health: { message: "Server is up!" },
};

/** The components the paths use, directly or through other components (admin-only schemas are left out). */
function referenced(paths: unknown, schemas: Record<string, unknown>): string[] {
  const seen = new Set<string>();
  const visit = (value: unknown) => {
    for (const [, id] of JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (seen.has(id) || !(id in schemas)) continue;
      seen.add(id);
      visit(schemas[id]);
    }
  };
  visit(paths);
  return Object.keys(schemas).filter((id) => seen.has(id));
}

export function openApiDocument(): object {
  if (cached) return cached;
  const components = z.toJSONSchema(ownSchemas(), {
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  const paths: Record<string, unknown> = Object.fromEntries(
    Object.entries(endpoints).map(([path, ops]) => [
      path,
      Object.fromEntries(Object.entries(ops).map(([method, op]) => [method, operation(path, op)])),
    ]),
  );
  cached = {
    openapi: "3.1.0",
    info: {
      title: "Tandem API",
      version: "1.0.0",
      description:
        "Two AI agents collaborate on every message. Every path also answers without the `/api` prefix and " +
        "without the trailing slash. Live events: WebSocket `/ws/chat/{session_id}/` (see the docs page).",
    },
    servers: [{ url: "/" }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    // Auth off and no TANDEM_API_KEYS: every path is open (the empty requirement). With keys, a
    // service key; with accounts (TANDEM_AUTH=accounts), also a person's session cookie (from
    // the app's own origin only) or personal key, which see only that person's sessions.
    security: [{}, { apiKey: [] }, { personalKey: [] }, { sessionCookie: [] }],
    paths,
    // Each component is a standalone JSON Schema document; inside OpenAPI they need no $schema/$id.
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "A service key, one of the server's TANDEM_API_KEYS, as `Authorization: Bearer <key>` (the WebSocket " +
            "also takes `?token=`). Sees every session.",
        },
        personalKey: {
          type: "http",
          scheme: "bearer",
          description:
            "ext. With accounts: a personal key (`tdm_…`, made on the settings page, shown once) as " +
            "`Authorization: Bearer <key>` or the WebSocket's `?token=`. Acts as its user: their sessions only " +
            "(an admin's key sees all).",
        },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "better-auth.session_token",
          description:
            "ext. With accounts: the session cookie set by signing in (`/api/auth/sign-in/username`, " +
            "`/api/auth/sign-in/email`, single sign-on). Counts only for requests from Tandem's own origin " +
            "(`__Secure-` prefixed over HTTPS).",
        },
      },
      schemas: Object.fromEntries(
        referenced(paths, components.schemas).map((id) => {
          const { $schema, $id, ...schema } = components.schemas[id];
          // Any JSON value, said plainly: generators turn the recursive union into types that do not compile.
          if (id === "JsonValue") return [id, { description: "Any JSON value." }];
          return [id, id in EXAMPLES ? { ...schema, examples: [EXAMPLES[id]] } : schema];
        }),
      ),
    },
  };
  return cached;
}

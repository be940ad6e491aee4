/**
 * The OpenAPI 3.1 document, generated from the zod schemas that validate requests and type the
 * serializers (schemas.ts), so the documentation cannot drift from the code.
 */
import { z } from "zod";
import * as S from "./schemas";

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
  };
  errors?: number[];
  tag: string;
};

const ref = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
};

const errorText: Record<number, string> = {
  400: "Invalid input",
  404: "Not found",
  409: "Conflict (a run is going, or none is)",
  413: "Body over 1 MiB",
  502: "The model provider failed",
};

const sessionParam = { name: "session_id", in: "path", required: true, schema: { type: "string", maxLength: 64 } };

export const endpoints: Record<string, Record<string, Op>> = {
  "/api/health/": {
    get: {
      compat: true,
      tag: "health",
      summary: "Liveness (compat: exactly this body)",
      ok: { status: 200, schema: S.HealthSchema, description: "Up" },
    },
  },
  "/api/ready/": {
    get: {
      compat: false,
      tag: "health",
      summary: "Readiness: the database takes a write and the channel layer answers",
      ok: { status: 200, description: "Ready (503 when not)" },
    },
  },
  "/api/sessions/": {
    get: {
      compat: true,
      tag: "sessions",
      summary: "List sessions, newest first, a page at a time",
      description:
        "Sessions, or with `view=summary` SessionSummary objects (no assignments), " +
        `${S.DEFAULT_PAGE_SIZE} per page unless \`limit\` says otherwise.`,
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
      summary: "A session",
      ok: { status: 200, schema: S.SessionSchema, description: "The session" },
      errors: [404],
    },
    put: {
      compat: true,
      tag: "sessions",
      summary: "Update title, user_id, metadata (ext: `team` replaces the assignments)",
      body: S.SessionUpdateSchema,
      ok: { status: 200, schema: S.SessionSchema, description: "Updated" },
      errors: [400, 404],
    },
    patch: {
      compat: true,
      tag: "sessions",
      summary: "Update title, user_id, metadata (ext: `team` replaces the assignments)",
      body: S.SessionUpdateSchema,
      ok: { status: 200, schema: S.SessionSchema, description: "Updated" },
      errors: [400, 404],
    },
    delete: {
      compat: true,
      tag: "sessions",
      summary: "Delete with its assignments, messages and run logs",
      ok: { status: 204, description: "Deleted" },
      errors: [404],
    },
  },
  "/api/sessions/{session_id}/history/": {
    get: {
      compat: true,
      tag: "messages",
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
      summary: "Session summary for UIs",
      ok: { status: 200, schema: S.SessionStateSchema, description: "State" },
      errors: [404],
    },
  },
  "/api/sessions/{session_id}/send/": {
    post: {
      compat: true,
      tag: "runs",
      summary: "Send a message; the assigned agents answer in order",
      description:
        "200: the messages the run created (user first). With `async: true`: 202 `{run_id, message}` at once, " +
        "the rest over the WebSocket. One run per session: 409 while another runs.",
      body: S.SendSchema,
      ok: { status: 200, schema: S.MessageSchema, array: true, description: "The run's messages" },
      errors: [400, 404, 409, 413, 502],
    },
  },
  "/api/sessions/{session_id}/runs/": {
    get: {
      compat: false,
      tag: "runs",
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
      summary: "Stop the session's running run",
      ok: { status: 200, schema: S.CancelledSchema, description: "Cancelled" },
      errors: [404, 409],
    },
  },
  "/api/agents/": {
    get: {
      compat: false,
      tag: "agents",
      summary: "Agents (edited in the admin pages)",
      ok: { status: 200, schema: S.AgentSchema, array: true, description: "Agents" },
    },
  },
  "/api/teams/": {
    get: {
      compat: false,
      tag: "agents",
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
      summary: "Tools (edited in the admin pages)",
      ok: { status: 200, schema: S.ToolSchema, array: true, description: "Tools" },
    },
  },
  "/api/messages/": {
    get: {
      compat: true,
      tag: "messages",
      summary: "Messages across sessions",
      query: S.MessageListQuery,
      ok: { status: 200, schema: S.MessageSchema, array: true, paged: true, description: "Messages" },
      errors: [400],
    },
  },
  "/api/messages/{id}/": {
    get: {
      compat: true,
      tag: "messages",
      summary: "One message",
      ok: { status: 200, schema: S.MessageSchema, description: "The message" },
      errors: [404],
    },
  },
};

const pagingHeaders = {
  "X-Total-Count": { description: "How many items match the query, over all pages.", schema: { type: "integer" } },
  Link: {
    description:
      'RFC 8288 `<path?query>; rel="next"` while more items remain: the same request with the next page\'s parameters.',
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

function operation(path: string, op: Op) {
  const parameters = [
    ...(path.includes("{session_id}") ? [sessionParam] : []),
    ...(path.includes("{id}") ? [{ name: "id", in: "path", required: true, schema: { type: "integer" } }] : []),
    ...queryParameters(op.query),
  ];
  const item =
    op.ok.schema && (op.ok.alternative ? { oneOf: [ref(op.ok.schema), ref(op.ok.alternative)] } : ref(op.ok.schema));
  const okContent = item
    ? { "application/json": { schema: op.ok.array ? { type: "array", items: item } : item } }
    : undefined;
  const responses: Record<string, unknown> = {
    [op.ok.status]: {
      description: op.ok.description,
      content: okContent,
      headers: op.ok.paged ? pagingHeaders : undefined,
    },
  };
  if (path.endsWith("/send/")) {
    responses[202] = {
      description: "Accepted (async)",
      content: { "application/json": { schema: ref(S.AcceptedSendSchema) } },
    };
  }
  for (const status of op.errors ?? []) {
    responses[status] = {
      description: errorText[status],
      content: { "application/json": { schema: ref(S.ErrorSchema) } },
    };
  }
  return {
    tags: [op.tag],
    summary: op.summary,
    description: op.description,
    parameters: parameters.length ? parameters : undefined,
    requestBody: op.body ? { required: true, content: { "application/json": { schema: ref(op.body) } } } : undefined,
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
  for (const value of Object.values(S)) {
    if (!(value instanceof z.ZodType)) continue;
    const id = z.globalRegistry.get(value)?.id;
    if (id) registry.add(value, { id });
  }
  return registry;
}

export function openApiDocument(): object {
  if (cached) return cached;
  const components = z.toJSONSchema(ownSchemas(), {
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  const paths = Object.fromEntries(
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
    tags: ["health", "sessions", "messages", "runs", "agents"].map((name) => ({ name })),
    paths,
    // Each component is a standalone JSON Schema document; inside OpenAPI they need no $schema/$id.
    components: {
      schemas: Object.fromEntries(
        Object.entries(components.schemas).map(([id, { $schema, $id, ...schema }]) => [id, schema]),
      ),
    },
  };
  return cached;
}

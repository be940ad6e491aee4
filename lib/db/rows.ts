/**
 * The hot path's tables as plain SQL reads them (./sql.ts): each table's column list and the
 * mapping of a row to the ORM's row type, so a row read either way is the same object.
 */
import type { Prisma } from "@/generated/sqlite/client";
import type { MessageRole, RunStatus } from "@/generated/sqlite/enums";
import { dateOf, dateOrNull, intOrNull, jsonOf, type SqlRow } from "./sql";

type Json = Prisma.JsonValue;

/** `table`'s columns as `alias.column AS alias_column`, so joined tables' columns keep apart. */
const columns = (alias: string, names: string[]) => names.map((c) => `${alias}.${c} AS ${alias}_${c}`).join(", ");

const MESSAGE = [
  "id",
  "session_id",
  "role",
  "agent_id",
  "content",
  "tool_name",
  "tool_input",
  "tool_output",
  "tokens_prompt",
  "tokens_completion",
  "latency_ms",
  "metadata",
  "run_id",
  "rating",
  "created_at",
  "updated_at",
];
const AGENT = ["id", "name", "role", "description", "model_hint", "is_active", "created_at", "updated_at"];
/** A run as the conversation's tree needs it (./turns.ts), then the rest of its row. */
const RUN_NODE = [
  "id",
  "parent_run_id",
  "user_message_id",
  "status",
  "kind",
  "resumes_run_id",
  "details",
  "created_at",
  "updated_at",
];
const RUN_LOG = [...RUN_NODE, "session_id", "agent_id", "extra", "lease_expires_at", "instance_id"];
const TOOL = ["id", "name", "description", "schema", "is_active", "created_at", "updated_at"];

/** The same names for RETURNING, which reads the written row unqualified. */
const returning = (alias: string, names: string[]) => names.map((c) => `${c} AS ${alias}_${c}`).join(", ");

export const messageColumns = columns("m", MESSAGE);
export const messageReturning = returning("m", MESSAGE);
export const runLogReturning = returning("r", RUN_LOG);
export const agentColumns = columns("a", AGENT);
export const runNodeColumns = columns("r", RUN_NODE);
export const runLogColumns = columns("r", RUN_LOG);
export const toolColumns = columns("t", TOOL);

export type MessageFields = Prisma.MessageGetPayload<object>;
export type AgentFields = Prisma.AgentGetPayload<object>;
export type RunLogFields = Prisma.RunLogGetPayload<object>;
export type RunNode = Pick<
  RunLogFields,
  "id" | "parentRunId" | "userMessageId" | "status" | "kind" | "resumesRunId" | "details" | "createdAt" | "updatedAt"
>;
export type ToolFields = Prisma.ToolGetPayload<object>;

export const messageOf = (r: SqlRow): MessageFields => ({
  id: Number(r.m_id),
  sessionId: Number(r.m_session_id),
  role: r.m_role as MessageRole,
  agentId: intOrNull(r.m_agent_id),
  content: String(r.m_content),
  toolName: String(r.m_tool_name),
  toolInput: jsonOf(r.m_tool_input) as Json,
  toolOutput: jsonOf(r.m_tool_output) as Json,
  tokensPrompt: intOrNull(r.m_tokens_prompt),
  tokensCompletion: intOrNull(r.m_tokens_completion),
  latencyMs: intOrNull(r.m_latency_ms),
  metadata: jsonOf(r.m_metadata) as Json,
  runId: intOrNull(r.m_run_id),
  rating: intOrNull(r.m_rating),
  createdAt: dateOf(r.m_created_at),
  updatedAt: dateOf(r.m_updated_at),
});

/** The joined agent of a row (`LEFT JOIN agent a`), or null. */
export const agentOf = (r: SqlRow): AgentFields | null =>
  r.a_id === null || r.a_id === undefined
    ? null
    : {
        id: Number(r.a_id),
        name: String(r.a_name),
        role: String(r.a_role),
        description: String(r.a_description),
        modelHint: String(r.a_model_hint),
        isActive: Boolean(r.a_is_active),
        createdAt: dateOf(r.a_created_at),
        updatedAt: dateOf(r.a_updated_at),
      };

export const runNodeOf = (r: SqlRow): RunNode => ({
  id: Number(r.r_id),
  parentRunId: intOrNull(r.r_parent_run_id),
  userMessageId: intOrNull(r.r_user_message_id),
  status: r.r_status as RunStatus,
  kind: String(r.r_kind),
  resumesRunId: intOrNull(r.r_resumes_run_id),
  details: String(r.r_details),
  createdAt: dateOf(r.r_created_at),
  updatedAt: dateOf(r.r_updated_at),
});

export const runLogOf = (r: SqlRow): RunLogFields => ({
  ...runNodeOf(r),
  sessionId: Number(r.r_session_id),
  agentId: intOrNull(r.r_agent_id),
  extra: jsonOf(r.r_extra) as Json,
  leaseExpiresAt: dateOrNull(r.r_lease_expires_at),
  instanceId: String(r.r_instance_id),
});

export const toolOf = (r: SqlRow): ToolFields => ({
  id: Number(r.t_id),
  name: String(r.t_name),
  description: String(r.t_description),
  schema: jsonOf(r.t_schema) as Json,
  isActive: Boolean(r.t_is_active),
  createdAt: dateOf(r.t_created_at),
  updatedAt: dateOf(r.t_updated_at),
});

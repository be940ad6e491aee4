/**
 * One serializer per object, shared by REST, the WebSocket and the admin pages: the contract's
 * JSON shape lives here and nowhere else.
 */
import type { z } from "zod";
import type { AgentRow } from "@/lib/db/agents";
import type { AssignmentRow } from "@/lib/db/assignments";
import type { MessageRow } from "@/lib/db/messages";
import type { RunLogRow } from "@/lib/db/runs";
import type { SearchHit } from "@/lib/db/search";
import type { SessionRow, SessionStateRow, SessionSummaryRow } from "@/lib/db/sessions";
import type { TeamRow } from "@/lib/db/teams";
import type { ToolRow } from "@/lib/db/tools";
import type { Turn as TurnRow } from "@/lib/db/turns";
import { MATCH_END, MATCH_START } from "@/lib/text";
import { type Rating, THEME, THEME_HINT } from "./schemas";
import type {
  Agent,
  Assignment,
  Message,
  QueuedRun,
  RunLog,
  SearchResult,
  Session,
  SessionState,
  SessionSummary,
  Team,
  Tool,
  Turn,
} from "./types";

type JsonObject = Record<string, z.core.util.JSONType> | null;
const obj = (v: unknown) => (v ?? null) as JsonObject;
const iso = (d: Date) => d.toISOString();

export function agentJson(a: AgentRow): Agent {
  return {
    id: a.id,
    name: a.name,
    role: a.role,
    description: a.description,
    model_hint: a.modelHint,
    is_active: a.isActive,
    created_at: iso(a.createdAt),
    updated_at: iso(a.updatedAt),
  };
}

export function toolJson(t: ToolRow): Tool {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    schema: obj(t.schema),
    is_active: t.isActive,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}

export function assignmentJson(a: AssignmentRow): Assignment {
  return {
    id: a.id,
    session: a.sessionId,
    agent: agentJson(a.agent),
    order: a.order,
    prompt_override: a.promptOverride,
    tools: a.tools.map(toolJson),
    created_at: iso(a.createdAt),
    updated_at: iso(a.updatedAt),
  };
}

export function teamJson(t: TeamRow): Team {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    process: t.process,
    max_rounds: t.maxRounds,
    is_default: t.isDefault,
    members: t.members.map((m) => ({
      id: m.id,
      order: m.order,
      agent: agentJson(m.agent),
      prompt_override: m.promptOverride,
      tools: m.tools.map(toolJson),
    })),
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}

export function sessionJson(s: SessionRow): Session {
  return {
    id: s.id,
    session_id: s.sessionId,
    title: s.title,
    user_id: s.userId,
    metadata: obj(s.metadata),
    assignments: s.assignments.map(assignmentJson),
    pinned: s.pinnedAt !== null,
    last_message_at: iso(s.lastMessageAt),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function sessionSummaryJson(s: SessionSummaryRow): SessionSummary {
  return {
    session_id: s.sessionId,
    title: s.title,
    pinned: s.pinnedAt !== null,
    last_message_at: iso(s.lastMessageAt),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    message_count: s._count.messages,
  };
}

export function messageJson(m: MessageRow): Message {
  return {
    id: m.id,
    session: m.sessionId,
    role: m.role,
    agent: m.agent ? agentJson(m.agent) : null,
    content: m.content,
    tool_name: m.toolName,
    tool_input: (m.toolInput ?? null) as Message["tool_input"],
    tool_output: (m.toolOutput ?? null) as Message["tool_output"],
    tokens_prompt: m.tokensPrompt,
    tokens_completion: m.tokensCompletion,
    latency_ms: m.latencyMs,
    metadata: obj(m.metadata),
    rating: ratingOf(m.rating),
    run_id: m.runId,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
  };
}

/** The stored rating (1 / -1 / null) as the contract spells it. */
function ratingOf(stored: number | null): Rating | null {
  return stored === 1 ? "up" : stored === -1 ? "down" : null;
}

/** The contract's rating as stored. */
export function storedRating(rating: Rating | null): number | null {
  return rating === "up" ? 1 : rating === "down" ? -1 : null;
}

export function runLogJson(r: RunLogRow & { agent?: AgentRow | null }): RunLog {
  return {
    id: r.id,
    session: r.sessionId,
    agent: r.agent ? agentJson(r.agent) : null,
    status: r.status,
    details: r.details,
    extra: obj(r.extra),
    kind: r.kind as RunLog["kind"],
    parent_run_id: r.parentRunId,
    user_message_id: r.userMessageId,
    resumes_run_id: r.resumesRunId,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export function queuedRunJson(q: { run: RunLogRow; position: number; message: MessageRow }): QueuedRun {
  return {
    run_id: q.run.id,
    kind: q.run.kind as QueuedRun["kind"],
    position: q.position,
    message_id: q.message.id,
    content: q.message.content,
    message: messageJson(q.message),
  };
}

export function turnJson(t: TurnRow): Turn {
  const latest = t.continuedBy.at(-1) ?? t.run;
  const ended = latest.status !== "running" && latest.status !== "queued";
  return {
    run_id: t.run.id,
    kind: t.run.kind as Turn["kind"],
    status: latest.status,
    error: latest.status === "error" ? latest.details : null,
    user_message_id: t.run.userMessageId,
    message_ids: t.messageIds,
    continued_by: t.continuedBy.map((r) => r.id),
    started_at: iso(t.run.createdAt),
    ended_at: ended ? iso(latest.updatedAt) : null,
    versions: { index: t.versions.indexOf(t.run.id), count: t.versions.length, run_ids: t.versions },
    edits: {
      index: t.edits.userMessageIds.indexOf(t.run.userMessageId ?? -1),
      count: t.edits.userMessageIds.length,
      user_message_ids: t.edits.userMessageIds,
      run_ids: t.edits.runIds,
    },
  };
}

export function sessionStateJson(state: SessionStateRow): SessionState {
  return {
    session_id: state.sessionId,
    title: state.title,
    user_id: state.userId,
    message_count: state.messageCount,
    assignments: state.assignments.map((a) => ({
      order: a.order,
      agent: a.agentName,
      role: a.agentRole,
      prompt_override: a.hasPromptOverride,
    })),
    theme_hint: THEME_HINT,
    theme: { ...THEME },
    run: state.run,
  };
}

/** A search hit; the database's match marks become `highlights` offsets into the plain snippet. */
export function searchResultJson(hit: SearchHit): SearchResult {
  let snippet = "";
  const highlights: Array<[number, number]> = [];
  let start = -1;
  for (const char of hit.snippet) {
    if (char === MATCH_START) start = snippet.length;
    else if (char === MATCH_END) {
      if (start >= 0 && snippet.length > start) highlights.push([start, snippet.length]);
      start = -1;
    } else snippet += char;
  }
  return {
    message_id: hit.messageId,
    session_id: hit.sessionId,
    session_title: hit.sessionTitle,
    role: hit.role as SearchResult["role"],
    agent: hit.agent,
    created_at: hit.createdAt.toISOString(),
    snippet,
    highlights,
  };
}

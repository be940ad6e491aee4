/**
 * A whole chat read for export, and written by an import: the session, its team, every run and
 * every message, in one transaction, with new ids (an import never overwrites a chat).
 */
import type { ChatExport } from "@/lib/contract/transfer";
import { db, retryWhenBusy } from "./connection";
import { type Json, json } from "./orm";

const named = { select: { name: true } } as const;

/** Everything a chat holds, its runs and messages in the order they were stored. */
export async function readChat(sessionPk: number) {
  const [session, assignments, runs, messages] = await Promise.all([
    db().chatSession.findUniqueOrThrow({ where: { id: sessionPk } }),
    db().assignment.findMany({
      where: { sessionId: sessionPk },
      orderBy: [{ order: "asc" }, { id: "asc" }],
      include: { agent: named, tools: { ...named, orderBy: { id: "asc" } } },
    }),
    db().runLog.findMany({ where: { sessionId: sessionPk }, orderBy: { id: "asc" }, include: { agent: named } }),
    db().message.findMany({ where: { sessionId: sessionPk }, orderBy: { id: "asc" }, include: { agent: named } }),
  ]);
  return { session, assignments, runs, messages };
}

export type ChatRows = Awaited<ReturnType<typeof readChat>>;

/** Agents and tools of these names that exist here, name → id. */
export async function idsByName(agents: string[], tools: string[]) {
  const [agentRows, toolRows] = await Promise.all([
    db().agent.findMany({ where: { name: { in: agents } }, select: { id: true, name: true } }),
    db().tool.findMany({ where: { name: { in: tools } }, select: { id: true, name: true } }),
  ]);
  return {
    agents: new Map(agentRows.map((a) => [a.name, a.id])),
    tools: new Map(toolRows.map((t) => [t.name, t.id])),
  };
}

type IdMap = Map<number, number>;
type JsonRecord = Record<string, unknown>;

/**
 * The ids stored inside JSON fields, renumbered with their rows: an agent message's run
 * (`metadata.run_id`), the run that continued it (`continued_by`), an edit's original message
 * (`edit_of`, always an earlier message, so renumbered by then); a run's own id (`extra.run_id`)
 * and its messages (`extra.messages`).
 */
function renumber(value: JsonRecord | null, runs: IdMap, messages: IdMap, kind: "message" | "run"): Json {
  if (value === null) return null;
  const out: JsonRecord = { ...value };
  const swap = (key: string, ids: IdMap) => {
    if (typeof out[key] === "number" && ids.has(out[key])) out[key] = ids.get(out[key]);
  };
  if (kind === "message") {
    swap("run_id", runs);
    swap("continued_by", runs);
    swap("edit_of", messages);
  } else {
    swap("run_id", runs);
    if (Array.isArray(out.messages))
      out.messages = out.messages.map((id) => (typeof id === "number" ? (messages.get(id) ?? id) : id));
  }
  return out as Json;
}

/**
 * Writes a chat as a new session `sessionId`, all or nothing. Agents and tools are linked by
 * `agents`/`tools` (name → id); the caller has already dropped what it cannot link.
 */
export async function insertChat(
  chat: ChatExport,
  refs: {
    sessionId: string;
    agents: Map<string, number>;
    tools: Map<string, number>;
    /** With accounts: the importing person, who owns the new session (and is its compat user_id). */
    owner: { ownerId?: string; userId?: string };
  },
): Promise<{ sessionPk: number }> {
  const agentId = (name: string | null) => (name === null ? null : (refs.agents.get(name) ?? null));
  return retryWhenBusy(() =>
    db().$transaction(
      async (tx) => {
        const s = chat.session;
        const session = await tx.chatSession.create({
          data: {
            sessionId: refs.sessionId,
            title: s.title,
            userId: refs.owner.userId ?? s.user_id,
            ownerId: refs.owner.ownerId ?? null,
            metadata: json(s.metadata as Json),
            createdAt: new Date(s.created_at),
            updatedAt: new Date(s.updated_at),
            // The sidebar orders by it: an imported chat sits where its last message puts it.
            lastMessageAt: new Date(
              Math.max(Date.parse(s.created_at), ...chat.messages.map((m) => Date.parse(m.created_at))),
            ),
          },
        });
        for (const member of chat.team) {
          const id = agentId(member.agent);
          if (id === null) continue;
          const tools = member.tools.flatMap((t) => (refs.tools.has(t) ? [{ id: refs.tools.get(t)! }] : []));
          await tx.assignment.create({
            data: {
              sessionId: session.id,
              agentId: id,
              order: member.order,
              promptOverride: member.prompt_override,
              tools: tools.length ? { connect: tools } : undefined,
            },
          });
        }
        // Runs and messages name each other: runs first, then messages, then the runs' links.
        const runs: IdMap = new Map();
        for (const r of chat.runs) {
          const row = await tx.runLog.create({
            data: {
              sessionId: session.id,
              agentId: agentId(r.agent),
              status: r.status,
              details: r.details,
              kind: r.kind,
              createdAt: new Date(r.created_at),
              updatedAt: new Date(r.updated_at),
            },
            select: { id: true },
          });
          runs.set(r.id, row.id);
        }
        const messages: IdMap = new Map();
        for (const m of chat.messages) {
          const row = await tx.message.create({
            data: {
              sessionId: session.id,
              role: m.role,
              agentId: agentId(m.agent),
              content: m.content,
              toolName: m.tool_name,
              toolInput: json(m.tool_input as Json),
              toolOutput: json(m.tool_output as Json),
              tokensPrompt: m.tokens_prompt,
              tokensCompletion: m.tokens_completion,
              latencyMs: m.latency_ms,
              metadata: json(renumber(m.metadata, runs, messages, "message")),
              rating: m.rating === "up" ? 1 : m.rating === "down" ? -1 : null,
              runId: m.run_id === null ? null : runs.get(m.run_id)!,
              createdAt: new Date(m.created_at),
              updatedAt: new Date(m.updated_at),
            },
            select: { id: true },
          });
          messages.set(m.id, row.id);
        }
        for (const r of chat.runs) {
          await tx.runLog.update({
            where: { id: runs.get(r.id)! },
            data: {
              parentRunId: r.parent_run_id === null ? null : runs.get(r.parent_run_id)!,
              userMessageId: r.user_message_id === null ? null : messages.get(r.user_message_id)!,
              resumesRunId: r.resumes_run_id === null ? null : runs.get(r.resumes_run_id)!,
              extra: json(renumber(r.extra, runs, messages, "run")),
              updatedAt: new Date(r.updated_at),
            },
          });
        }
        await tx.chatSession.update({
          where: { id: session.id },
          data: {
            headRunId: chat.head_run_id === null ? null : runs.get(chat.head_run_id)!,
            updatedAt: new Date(s.updated_at),
          },
        });
        return { sessionPk: session.id };
      },
      // A long chat is thousands of inserts; the default 5 s would cut it off half-way (and roll back).
      { timeout: 120_000, maxWait: 30_000 },
    ),
  );
}

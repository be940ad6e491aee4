/**
 * A chat taken out of Tandem: as JSON in Tandem's lossless format (every run, version and
 * message; ids as stored, which an import renumbers), or as Markdown a person reads (the active
 * path only).
 */
import { type ChatExport, EXPORT_FORMAT, EXPORT_VERSION } from "@/lib/contract/transfer";
import { requireSession, requireSessionKey } from "@/lib/db/sessions";
import { readChat } from "@/lib/db/transfer";
import { pathHistory, sessionTurns } from "@/lib/db/turns";

type JsonObject = ChatExport["session"]["metadata"];
const obj = (v: unknown) => (v ?? null) as JsonObject;
const iso = (d: Date) => d.toISOString();

export async function exportChat(sessionId: string): Promise<ChatExport> {
  const { id } = await requireSessionKey(sessionId);
  const { session, assignments, runs, messages } = await readChat(id);
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exported_at: iso(new Date()),
    session: {
      session_id: session.sessionId,
      title: session.title,
      user_id: session.userId,
      metadata: obj(session.metadata),
      created_at: iso(session.createdAt),
      updated_at: iso(session.updatedAt),
    },
    team: assignments.map((a) => ({
      agent: a.agent.name,
      order: a.order,
      prompt_override: a.promptOverride,
      tools: a.tools.map((t) => t.name),
    })),
    runs: runs.map((r) => ({
      id: r.id,
      kind: r.kind as ChatExport["runs"][number]["kind"],
      status: r.status,
      agent: r.agent?.name ?? null,
      details: r.details,
      extra: obj(r.extra),
      parent_run_id: r.parentRunId,
      user_message_id: r.userMessageId,
      resumes_run_id: r.resumesRunId,
      created_at: iso(r.createdAt),
      updated_at: iso(r.updatedAt),
    })),
    messages: messages.map((m) => ({
      id: m.id,
      role: m.role,
      agent: m.agent?.name ?? null,
      content: m.content,
      tool_name: m.toolName,
      tool_input: (m.toolInput ?? null) as ChatExport["messages"][number]["tool_input"],
      tool_output: (m.toolOutput ?? null) as ChatExport["messages"][number]["tool_output"],
      tokens_prompt: m.tokensPrompt,
      tokens_completion: m.tokensCompletion,
      latency_ms: m.latencyMs,
      metadata: obj(m.metadata),
      rating: m.rating === 1 ? "up" : m.rating === -1 ? "down" : null,
      run_id: m.runId,
      created_at: iso(m.createdAt),
      updated_at: iso(m.updatedAt),
    })),
    head_run_id: session.headRunId,
  };
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/** `2026-01-02 10:00 UTC` */
const when = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** A code fence longer than any run of backticks in `body`, so the body can never close it. */
function fenced(body: string, info = ""): string {
  let longest = 0;
  let run = 0;
  for (const char of body) {
    run = char === "`" ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

const jsonBlock = (value: unknown) => fenced(JSON.stringify(value ?? null, null, 2), "json");

type Author = { role: string; agent: { name: string } | null; metadata: unknown };

function authorOf(m: Author): string {
  if (m.role === "user") return "You";
  if (m.role === "system") return "System";
  if (m.agent) return m.agent.name;
  const author = (m.metadata as { author?: unknown } | null)?.author;
  return typeof author === "string" && author ? author : "Assistant";
}

/** The active path as a person reads it: who said what and when, tool calls, failed turns. */
export async function exportMarkdown(sessionId: string): Promise<{ title: string; markdown: string }> {
  const session = await requireSession(sessionId);
  const [{ rows }, turns] = await Promise.all([pathHistory(session.id, {}), sessionTurns(session.id)]);
  // Where each turn ends, and how: a failed or stopped turn says so after its last message.
  const endings = new Map<number, string>();
  for (const t of turns) {
    const latest = t.continuedBy.at(-1) ?? t.run;
    const last = t.messageIds.at(-1);
    if (last === undefined) continue;
    if (latest.status === "error") endings.set(last, `> **This turn failed:** ${latest.details || "no reason given"}`);
    if (latest.status === "cancelled") endings.set(last, "> **This turn was stopped** before it finished.");
  }
  const out = [`# ${session.title.trim() || "Untitled chat"}`, "", `_Exported from Tandem on ${when(new Date())}._`];
  for (const m of rows) {
    out.push("");
    if (m.role === "tool") {
      const who = m.agent ? ` (${m.agent.name})` : "";
      out.push(
        `**Tool call${who}:** \`${m.toolName || "tool"}\` · ${when(m.createdAt)}`,
        "",
        "Input:",
        "",
        jsonBlock(m.toolInput),
        "",
        "Output:",
        "",
        jsonBlock(m.toolOutput),
      );
    } else {
      const meta = (m.metadata ?? {}) as Record<string, unknown>;
      const note = meta.steer === true ? " (guidance during the run)" : "";
      out.push(`### ${authorOf(m)}${note} · ${when(m.createdAt)}`, "", m.content);
    }
    const ending = endings.get(m.id);
    if (ending) out.push("", ending);
  }
  return { title: session.title, markdown: `${out.join("\n")}\n` };
}

/** `tandem-trip-to-lisbon-2026-01-02.md`: the title made file-safe (ASCII, accents dropped), else the session id. */
export function exportFilename(title: string, sessionId: string, format: "json" | "md"): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 60);
  let start = 0;
  let end = slug.length;
  while (start < end && slug[start] === "-") start++;
  while (end > start && slug[end - 1] === "-") end--;
  const name = slug.slice(start, end) || sessionId.replace(/[^A-Za-z0-9_-]+/g, "-");
  return `tandem-${name}-${new Date().toISOString().slice(0, 10)}.${format}`;
}

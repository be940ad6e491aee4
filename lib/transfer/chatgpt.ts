/**
 * ChatGPT's conversations.json, read into Tandem's export format (then imported like any export).
 *
 * A conversation is a tree of nodes (`mapping`, linked by `parent`/`children`). Each user message
 * and the assistant messages after it become one run (kind `send`, status `success`). Sibling
 * nodes are versions: several assistant answers to one message become regenerations (runs for
 * the same user message), several user messages after one answer become edits (`metadata.edit_of`
 * the first); an answer that forks further down becomes a regeneration that repeats the shared
 * beginning. `current_node` decides the head run. System, tool and hidden messages, tool calls
 * and content that is not text (images, code interpreter output) are left out and reported;
 * a left-out node's children hang from its nearest kept ancestor.
 *
 * Assistant messages are stored as the last agent of the team (the writer, who answers in
 * Tandem), with `metadata.author: "assistant"`, so a continued conversation reads them as the
 * team's earlier answers and the UI lets a person rate them; without that agent they keep the
 * author alone (agent null).
 */
import { DEFAULT_TEAM } from "@/lib/agents/defaults";
import {
  type ChatExport,
  type ChatGptConversation,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportedMessage,
  type ExportedRun,
  MAX_IMPORT_CONTENT,
  type Skipped,
} from "@/lib/contract/transfer";

type Node = ChatGptConversation["mapping"][string];
type Kept = { node: Node; role: "user" | "assistant"; text: string; at: string };

const SOURCE = "chatgpt";

/** Reasons, counted per kind so a long conversation reports a few lines, not thousands. */
class Tally {
  private readonly counts = new Map<string, { count: number; label: string; why: string }>();
  add(key: string, label: string, why: string) {
    const entry = this.counts.get(key) ?? { count: 0, label, why };
    entry.count++;
    this.counts.set(key, entry);
  }
  list(): Skipped[] {
    return [...this.counts.values()].map((e) => ({ what: `${e.count} × ${e.label}`, why: e.why }));
  }
}

/** Seconds since 1970 (ChatGPT's times) as ISO; absent or absurd: `fallback`. */
function isoOf(seconds: number | null | undefined, fallback: string): string {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return fallback;
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() > 9999 ? fallback : d.toISOString();
}

const stripNul = (s: string) => s.replaceAll("\u0000", "");

/** The text a node contributes, or null when it contributes none (what was left out is tallied). */
function readNode(node: Node, tally: Tally): { role: "user" | "assistant"; text: string } | null {
  const m = node.message;
  if (!m) return null;
  const skip = (key: string, label: string, why: string) => {
    tally.add(key, label, why);
    return null;
  };
  const role = m.author.role;
  if (role === "system") return skip("system", "system message", "system messages are not part of the chat");
  if (role === "tool") return skip("tool", "tool message", "Tandem has no place for another tool's output");
  if (role !== "user" && role !== "assistant")
    return skip(`role:${role}`, `${role} message`, "only user and assistant messages are imported");
  if (m.metadata?.is_visually_hidden_from_conversation === true)
    return skip("hidden", "hidden message", "ChatGPT did not show it in the chat either");
  if (role === "assistant" && m.recipient && m.recipient !== "all")
    return skip("call", "tool call", `calls to ChatGPT's tools (such as ${m.recipient}) have no counterpart here`);
  const type = m.content.content_type;
  if (type !== "text" && type !== "multimodal_text")
    return skip(`type:${type}`, `${type} content`, "only text is imported (not code, its output, browsing or images)");
  const texts: string[] = [];
  for (const part of m.content.parts ?? []) {
    if (typeof part === "string") texts.push(part);
    else {
      const kind = (part as { content_type?: unknown } | null)?.content_type;
      const label = typeof kind === "string" ? kind.replaceAll("_", " ") : "attachment";
      tally.add(`part:${label}`, label, "only the text of a message is imported");
    }
  }
  let text = stripNul(texts.join("\n"));
  if (text.trim() === "") return null;
  if (text.length > MAX_IMPORT_CONTENT) {
    tally.add("long", "message cut", `text beyond ${MAX_IMPORT_CONTENT} characters was left out`);
    text = text.slice(0, MAX_IMPORT_CONTENT);
  }
  return { role, text };
}

export function fromChatGpt(conv: ChatGptConversation, now = new Date()): { chat: ChatExport; skipped: Skipped[] } {
  const tally = new Tally();
  const nodes = conv.mapping;
  const start = isoOf(conv.create_time, now.toISOString());

  // Kept nodes, and each node's kept children (through left-out ones), in ChatGPT's order.
  const kept = new Map<string, Kept>();
  const keptKids = new Map<string | null, string[]>();
  const roots = Object.keys(nodes).filter((id) => {
    const parent = nodes[id].parent;
    return !parent || !(parent in nodes);
  });
  const stack: Array<{ id: string; keptParent: string | null; at: string }> = roots
    .reverse()
    .map((id) => ({ id, keptParent: null, at: start }));
  const visited = new Set<string>();
  while (stack.length > 0) {
    const { id, keptParent, at: parentAt } = stack.pop()!;
    if (visited.has(id) || !(id in nodes)) continue;
    visited.add(id);
    const node = nodes[id];
    const read = readNode(node, tally);
    const at = isoOf(node.message?.create_time, parentAt);
    let owner = keptParent;
    if (read) {
      kept.set(id, { node, ...read, at });
      const siblings = keptKids.get(keptParent) ?? [];
      siblings.push(id);
      keptKids.set(keptParent, siblings);
      owner = id;
    }
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ id: children[i], keptParent: owner, at });
  }

  const writer = DEFAULT_TEAM.at(-1)?.agent ?? null;
  const runs: ExportedRun[] = [];
  const messages: ExportedMessage[] = [];
  const placedIn = new Map<string, number>();
  const extra = { imported_from: SOURCE, conversation_id: conv.conversation_id ?? null };

  const addMessage = (k: Kept, runId: number, metadata: Record<string, unknown> = {}): ExportedMessage => {
    const model = k.node.message?.metadata?.model_slug;
    const m: ExportedMessage = {
      id: messages.length + 1,
      role: k.role === "user" ? "user" : "agent",
      agent: k.role === "user" ? null : writer,
      content: k.text,
      tool_name: "",
      tool_input: null,
      tool_output: null,
      tokens_prompt: null,
      tokens_completion: null,
      latency_ms: null,
      metadata: {
        imported_from: SOURCE,
        source_id: k.node.id,
        ...(k.role === "assistant" ? { author: "assistant", ...(typeof model === "string" ? { model } : {}) } : {}),
        ...metadata,
      } as ExportedMessage["metadata"],
      rating: null,
      run_id: runId,
      created_at: k.at,
      updated_at: k.at,
    };
    messages.push(m);
    if (!placedIn.has(k.node.id)) placedIn.set(k.node.id, runId);
    return m;
  };
  const addRun = (kind: ExportedRun["kind"], parent: number | null, userMessageId: number | null, at: string) => {
    const run: ExportedRun = {
      id: runs.length + 1,
      kind,
      status: "success",
      agent: null,
      details: "",
      extra: { ...extra },
      parent_run_id: parent,
      user_message_id: userMessageId,
      resumes_run_id: null,
      created_at: at,
      updated_at: at,
    };
    runs.push(run);
    return run;
  };

  type Work =
    | { type: "turns"; userIds: string[]; parent: number | null }
    | { type: "chain"; from: string; run: ExportedRun; before: Kept[] };
  const work: Work[] = [];
  const schedule = (items: Work[]) => work.push(...items.reverse());

  /** Sibling user messages after one point: the first is sent, the others edit it. */
  const turns = (userIds: string[], parent: number | null) => {
    let first: number | null = null;
    const next: Work[] = [];
    for (const userId of userIds) {
      const user = kept.get(userId)!;
      const kind = first === null ? "send" : "edit";
      const run = addRun(kind, parent, null, user.at);
      const message = addMessage(user, run.id, first === null ? {} : { edit_of: first });
      first ??= message.id;
      run.user_message_id = message.id;
      const kids = keptKids.get(userId) ?? [];
      const answers = kids.filter((id) => kept.get(id)!.role === "assistant");
      const followUps = kids.filter((id) => kept.get(id)!.role === "user");
      answers.forEach((answerId, i) => {
        const r = i === 0 ? run : addRun("regenerate", parent, message.id, user.at);
        next.push({ type: "chain", from: answerId, run: r, before: [] });
      });
      if (followUps.length > 0) next.push({ type: "turns", userIds: followUps, parent: run.id });
    }
    schedule(next);
  };

  /** An answer: its assistant messages in `run`; a fork below becomes a regeneration repeating `before`. */
  const chain = (from: string, run: ExportedRun, before: Kept[]) => {
    const next: Work[] = [];
    const inRun = [...before];
    for (let id: string | undefined = from; id !== undefined; ) {
      const k = kept.get(id)!;
      addMessage(k, run.id);
      inRun.push(k);
      run.updated_at = k.at;
      const kids: string[] = keptKids.get(id) ?? [];
      const answers: string[] = kids.filter((kid) => kept.get(kid)!.role === "assistant");
      const followUps: string[] = kids.filter((kid) => kept.get(kid)!.role === "user");
      for (const other of answers.slice(1)) {
        const fork = addRun("regenerate", run.parent_run_id, run.user_message_id, run.created_at);
        for (const earlier of inRun) addMessage(earlier, fork.id);
        next.push({ type: "chain", from: other, run: fork, before: [] });
      }
      if (followUps.length > 0) next.push({ type: "turns", userIds: followUps, parent: run.id });
      id = answers[0];
    }
    schedule(next);
  };

  // Assistant messages before any user message (a greeting) hang from nothing: left out.
  const top = keptKids.get(null) ?? [];
  for (const id of top)
    if (kept.get(id)!.role === "assistant")
      tally.add("orphan", "assistant message before any user message", "a Tandem turn starts with a message");
  turns(
    top.filter((id) => kept.get(id)!.role === "user"),
    null,
  );
  while (work.length > 0) {
    const item = work.pop()!;
    if (item.type === "turns") turns(item.userIds, item.parent);
    else chain(item.from, item.run, item.before);
  }

  // The head: the run holding current_node (or its nearest kept ancestor), else the last one made.
  let head: number | null = runs.at(-1)?.id ?? null;
  const seen = new Set<string>();
  for (
    let id = conv.current_node ?? undefined;
    id && id in nodes && !seen.has(id);
    id = nodes[id].parent ?? undefined
  ) {
    seen.add(id);
    const run = placedIn.get(id);
    if (run !== undefined) {
      head = run;
      break;
    }
  }

  let last = start;
  for (const m of messages) if (m.created_at > last) last = m.created_at;
  const chat: ChatExport = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exported_at: now.toISOString(),
    session: {
      session_id: (conv.conversation_id ?? "").slice(0, 64),
      title: ((conv.title ?? "").trim() || "Imported chat").slice(0, 200),
      user_id: "",
      metadata: { imported_from: SOURCE, conversation_id: conv.conversation_id ?? null },
      created_at: start,
      updated_at: isoOf(conv.update_time, last),
    },
    team: DEFAULT_TEAM.map((m, order) => ({ agent: m.agent, order, prompt_override: "", tools: [...m.tools] })),
    runs,
    messages,
    head_run_id: head,
  };
  return { chat, skipped: tally.list() };
}

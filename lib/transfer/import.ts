/**
 * Chats brought into Tandem: Tandem's own export (one chat or `{chats: [...]}`) or ChatGPT's
 * conversations.json. Each conversation is validated on its own and written in one transaction
 * as a new session, so a bad one fails alone and nothing is ever half-imported; the report says
 * per conversation what was imported, what was left out and why.
 */
import type { z } from "zod";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "@/lib/contract/schemas";
import {
  type ChatExport,
  ChatExportSchema,
  ChatGptConversationSchema,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ImportReport,
  MAX_IMPORT_CHATS,
  type Skipped,
} from "@/lib/contract/transfer";
import { interruptedMetadata } from "@/lib/db/messages";
import { newSessionId } from "@/lib/db/sessions";
import { idsByName, insertChat } from "@/lib/db/transfer";
import { TandemError } from "@/lib/errors";
import { log } from "@/lib/log";
import { withoutBidiControls } from "@/lib/text";
import { fromChatGpt } from "./chatgpt";

/** One conversation of the body, read into Tandem's format, or why it cannot be. */
type Entry = { title: string } & ({ chat: ChatExport; skipped: Skipped[] } | { why: string });

/** A conversation's JSON nests a few levels below the body's own (chats → messages → tool input). */
const MAX_ENTRY_DEPTH = MAX_JSON_DEPTH + 8;

function why(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more problems)` : "";
  return `${shown.join("; ")}${more}`;
}

const titleOf = (value: unknown, fallback: string): string => {
  const v = value as { title?: unknown; session?: { title?: unknown } } | null;
  const t = typeof v?.title === "string" ? v.title : typeof v?.session?.title === "string" ? v.session.title : "";
  return t.trim().slice(0, 200) || fallback;
};

function readTandem(value: unknown, index: number): Entry {
  const title = titleOf(value, `Chat ${index + 1}`);
  if (nestedDeeperThan(value, MAX_ENTRY_DEPTH)) return { title, why: `Nested deeper than ${MAX_ENTRY_DEPTH} levels.` };
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version === "number" && version > EXPORT_VERSION)
    return { title, why: `Format version ${version} is newer than this server reads (${EXPORT_VERSION}).` };
  const parsed = ChatExportSchema.safeParse(value);
  return parsed.success ? { title, chat: parsed.data, skipped: [] } : { title, why: why(parsed.error) };
}

function readChatGpt(value: unknown, index: number): Entry {
  const title = titleOf(value, `Conversation ${index + 1}`);
  if (nestedDeeperThan(value, MAX_ENTRY_DEPTH)) return { title, why: `Nested deeper than ${MAX_ENTRY_DEPTH} levels.` };
  const parsed = ChatGptConversationSchema.safeParse(value);
  if (!parsed.success) return { title, why: why(parsed.error) };
  const { chat, skipped } = fromChatGpt(parsed.data);
  if (chat.messages.length === 0) return { title, why: "No user or assistant text in it." };
  // The conversion's result is held to the same format as any export (lengths, limits, links).
  const checked = ChatExportSchema.safeParse(chat);
  return checked.success ? { title, chat: checked.data, skipped } : { title, why: why(checked.error) };
}

/** The body's conversations, by the format it is in. */
function entriesOf(body: unknown): Entry[] {
  const many = (items: unknown[], read: (v: unknown, i: number) => Entry) => {
    if (items.length > MAX_IMPORT_CHATS)
      throw new TandemError(
        "payload_too_large",
        `Too many conversations: ${items.length} (at most ${MAX_IMPORT_CHATS} per import; split the file).`,
      );
    return items.map(read);
  };
  if (Array.isArray(body)) return many(body, readChatGpt);
  if (body !== null && typeof body === "object") {
    const o = body as Record<string, unknown>;
    if (o.format === EXPORT_FORMAT) return [readTandem(o, 0)];
    if (Array.isArray(o.chats)) return many(o.chats, readTandem);
    if (typeof o.mapping === "object" && o.mapping !== null) return [readChatGpt(o, 0)];
  }
  throw new TandemError(
    "bad_request",
    `Unknown format: expected a Tandem export ("format": "${EXPORT_FORMAT}", or {"chats": [...]}) or ChatGPT's conversations.json (an array of conversations).`,
  );
}

/**
 * What of a chat this server cannot hold as it was: runs still queued (dropped with their
 * message: they never started) or running (kept, as failed), agents and tools it does not have.
 */
function fit(chat: ChatExport, known: { agents: Map<string, number>; tools: Map<string, number> }) {
  const skipped: Skipped[] = [];
  const queued = new Set(chat.runs.filter((r) => r.status === "queued").map((r) => r.id));
  if (queued.size > 0)
    skipped.push({ what: `${queued.size} queued run(s)`, why: "they had not started when the chat was exported" });
  const running = chat.runs.filter((r) => r.status === "running").length;
  if (running > 0)
    skipped.push({ what: `${running} running run(s)`, why: "still going when exported; imported as failed" });
  const runs = chat.runs
    .filter((r) => !queued.has(r.id))
    .map((r) =>
      r.status === "running"
        ? { ...r, status: "error" as const, details: "The run was still going when the chat was exported." }
        : r,
    );
  const missingAgents = new Set<string>();
  const messages = chat.messages
    .filter((m) => m.run_id === null || !queued.has(m.run_id))
    // A message its run was still writing keeps the text it had, as after a crash.
    .map((m) => (m.metadata?.streaming === true ? { ...m, metadata: interruptedMetadata(m.metadata) } : m))
    .map((m) => {
      if (m.agent === null || known.agents.has(m.agent)) return m;
      missingAgents.add(m.agent);
      return { ...m, agent: null, metadata: { author: m.agent, ...m.metadata } };
    });
  for (const member of chat.team) if (!known.agents.has(member.agent)) missingAgents.add(member.agent);
  for (const name of missingAgents)
    skipped.push({
      what: `agent "${name}"`,
      why: "no agent of that name here: its messages keep its name as their author, and it is not on the team",
    });
  const missingTools = new Set(chat.team.flatMap((m) => m.tools).filter((t) => !known.tools.has(t)));
  for (const name of missingTools) skipped.push({ what: `tool "${name}"`, why: "no tool of that name here" });
  const title = withoutBidiControls(chat.session.title);
  return { chat: { ...chat, session: { ...chat.session, title }, runs, messages }, skipped };
}

export async function importChats(
  body: unknown,
  owner: { ownerId?: string; userId?: string } = {},
): Promise<ImportReport> {
  const entries = entriesOf(body);
  const chats = entries.flatMap((e) => ("chat" in e ? [e.chat] : []));
  const known = await idsByName(
    [...new Set(chats.flatMap((c) => [...c.team.map((m) => m.agent), ...c.messages.map((m) => m.agent ?? "")]))],
    [...new Set(chats.flatMap((c) => c.team.flatMap((m) => m.tools)))],
  );
  const report: ImportReport = { imported: [], failed: [] };
  for (const entry of entries) {
    if ("why" in entry) {
      report.failed.push({ title: entry.title, why: entry.why });
      continue;
    }
    const { chat, skipped } = fit(entry.chat, known);
    const sessionId = newSessionId();
    try {
      await insertChat(chat, { sessionId, owner, ...known });
    } catch (e) {
      log.warn({ err: e, title: entry.title }, "import of a conversation failed");
      report.failed.push({ title: entry.title, why: "It could not be stored; nothing of it was kept." });
      continue;
    }
    report.imported.push({
      session_id: sessionId,
      title: chat.session.title,
      messages: chat.messages.length,
      runs: chat.runs.length,
      skipped: [...entry.skipped, ...skipped],
    });
  }
  return report;
}

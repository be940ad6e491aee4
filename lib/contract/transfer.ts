/**
 * Chats taken out of Tandem and brought in (ext): Tandem's own export format (`tandem.chat`,
 * versioned), the ChatGPT `conversations.json` it also reads, and the import's report. The export
 * is typed by ChatExportSchema and the import validates with it, so one place knows the format.
 */
import { z } from "zod";
import {
  JsonObjectSchema,
  JsonValue,
  MESSAGE_ROLES,
  MetadataSchema,
  RatingSchema,
  RUN_KINDS,
  RUN_STATUSES,
} from "./schemas";

export const EXPORT_FORMAT = "tandem.chat";
export const EXPORT_VERSION = 1;

/** At most this many chats per import (413 beyond). */
export const MAX_IMPORT_CHATS = 1000;
/** At most this many messages per imported chat (that chat fails beyond). */
export const MAX_IMPORT_MESSAGES = 20_000;
/** The longest message text an import keeps (agents' answers may exceed what a send takes). */
export const MAX_IMPORT_CONTENT = 200_000;

const NUL = "\u0000";
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes(NUL), "Null characters are not allowed.");
const Timestamp = z.iso.datetime().describe("ISO 8601 UTC timestamp");
/** Ids inside an export name its runs and messages to each other; an import gives them new ones. */
const LocalId = z.number().int().min(1);
/** The databases' integer columns are 32-bit. */
const Count = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 31 - 1);
/** Whether a NUL character is in any string or key of `value` (iterative: values may nest deep). */
function containsNul(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string" && v.includes(NUL)) return true;
    if (v !== null && typeof v === "object")
      for (const [k, child] of Object.entries(v)) {
        if (k.includes(NUL)) return true;
        stack.push(child);
      }
  }
  return false;
}
/** Any JSON PostgreSQL's jsonb takes: no NUL characters. */
const StorableJson = JsonValue.nullable().refine((v) => !containsNul(v), "Null characters are not allowed.");
const AgentName = text(64).nullable().describe("The agent's name (agents are matched by name on import).");

export const ExportedRunSchema = z
  .object({
    id: LocalId,
    kind: z.enum(RUN_KINDS),
    status: z.enum(RUN_STATUSES),
    agent: AgentName,
    details: text(20_000),
    extra: JsonObjectSchema,
    parent_run_id: LocalId.nullable(),
    user_message_id: LocalId.nullable(),
    resumes_run_id: LocalId.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "ExportedRun", description: "A run of an exported chat, every version of every turn." });

export const ExportedMessageSchema = z
  .object({
    id: LocalId,
    role: z.enum(MESSAGE_ROLES),
    agent: AgentName,
    content: text(MAX_IMPORT_CONTENT),
    tool_name: text(128),
    tool_input: StorableJson,
    tool_output: StorableJson,
    tokens_prompt: Count.nullable(),
    tokens_completion: Count.nullable(),
    latency_ms: Count.nullable(),
    metadata: JsonObjectSchema,
    rating: RatingSchema.nullable(),
    run_id: LocalId.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "ExportedMessage", description: "A message of an exported chat, of every branch." });

export const ExportedTeamMemberSchema = z
  .object({
    agent: text(64),
    order: Count,
    prompt_override: text(20_000),
    tools: z.array(text(128)).max(100),
  })
  .meta({ id: "ExportedTeamMember", description: "An agent assigned to the chat, with its tools (by name)." });

const ChatExportFields = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION).describe("The format's version; a newer one is refused, not guessed at."),
  exported_at: Timestamp,
  session: z.object({
    session_id: z.string().max(64).describe("The id it had where it was exported (an import gives a new one)."),
    title: text(200),
    user_id: text(128),
    metadata: MetadataSchema,
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
  team: z.array(ExportedTeamMemberSchema).max(100).describe("The agents assigned, in order."),
  runs: z.array(ExportedRunSchema).describe("Every run, oldest first: the conversation's tree."),
  messages: z
    .array(ExportedMessageSchema)
    .max(MAX_IMPORT_MESSAGES)
    .describe("Every message of every branch, oldest first."),
  head_run_id: LocalId.nullable().describe("The run the active path runs through (null: none chosen)."),
});

/** Ids a chat's parts name each other by must exist in it: a dangling one fails the chat, never half of it. */
function checkReferences(chat: z.infer<typeof ChatExportFields>, ctx: z.RefinementCtx) {
  const problem = (message: string) => ctx.addIssue({ code: "custom", message });
  const runs = new Set<number>();
  const messages = new Set<number>();
  for (const r of chat.runs) runs.has(r.id) ? problem(`Run ${r.id} appears twice.`) : runs.add(r.id);
  for (const m of chat.messages) messages.has(m.id) ? problem(`Message ${m.id} appears twice.`) : messages.add(m.id);
  for (const r of chat.runs) {
    if (r.parent_run_id !== null && !runs.has(r.parent_run_id))
      problem(`Run ${r.id}: parent_run_id ${r.parent_run_id} is not in the file.`);
    if (r.resumes_run_id !== null && !runs.has(r.resumes_run_id))
      problem(`Run ${r.id}: resumes_run_id ${r.resumes_run_id} is not in the file.`);
    if (r.user_message_id !== null && !messages.has(r.user_message_id))
      problem(`Run ${r.id}: user_message_id ${r.user_message_id} is not in the file.`);
  }
  for (const m of chat.messages)
    if (m.run_id !== null && !runs.has(m.run_id)) problem(`Message ${m.id}: run_id ${m.run_id} is not in the file.`);
  if (chat.head_run_id !== null && !runs.has(chat.head_run_id))
    problem(`head_run_id ${chat.head_run_id} is not in the file.`);
}

export const ChatExportSchema = ChatExportFields.superRefine(checkReferences).meta({
  id: "ChatExport",
  description: `ext: one chat, lossless (format \`${EXPORT_FORMAT}\`, version ${EXPORT_VERSION}).`,
});

export type ChatExport = z.infer<typeof ChatExportSchema>;
export type ExportedRun = z.infer<typeof ExportedRunSchema>;
export type ExportedMessage = z.infer<typeof ExportedMessageSchema>;

// ---------------------------------------------------------------------------------------------
// ChatGPT's conversations.json: only what the import reads is checked; the rest may vary.
// ---------------------------------------------------------------------------------------------

const ChatGptMessageSchema = z.looseObject({
  id: z.string().nullish(),
  author: z.looseObject({ role: z.string(), name: z.string().nullish() }),
  content: z.looseObject({
    content_type: z.string(),
    parts: z.array(z.unknown()).nullish(),
    text: z.string().nullish(),
  }),
  create_time: z.number().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  recipient: z.string().nullish(),
});

export const ChatGptConversationSchema = z
  .looseObject({
    title: z.string().nullish(),
    create_time: z.number().nullish(),
    update_time: z.number().nullish(),
    mapping: z.record(
      z.string(),
      z.looseObject({
        id: z.string(),
        message: ChatGptMessageSchema.nullish(),
        parent: z.string().nullish(),
        children: z.array(z.string()).nullish(),
      }),
    ),
    current_node: z.string().nullish(),
    conversation_id: z.string().nullish(),
  })
  .meta({ id: "ChatGptConversation", description: "One conversation of ChatGPT's conversations.json export." });

export type ChatGptConversation = z.infer<typeof ChatGptConversationSchema>;

// ---------------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------------

export const ImportBodySchema = z
  .union([
    ChatExportSchema,
    z.object({ chats: z.array(ChatExportSchema).max(MAX_IMPORT_CHATS) }),
    z.array(ChatGptConversationSchema).max(MAX_IMPORT_CHATS),
  ])
  .meta({
    id: "ImportBody",
    description:
      "A Tandem export (one chat, or `{chats: [...]}`) or ChatGPT's `conversations.json` (an array of conversations).",
  });

const SkippedSchema = z.object({ what: z.string(), why: z.string() });

export const ImportReportSchema = z
  .object({
    detail: z.string().optional().describe("Present when nothing was imported (400): why, in short."),
    imported: z.array(
      z.object({
        session_id: z.string(),
        title: z.string(),
        messages: z.number().int(),
        runs: z.number().int(),
        skipped: z.array(SkippedSchema).describe("What of this conversation was left out, and why."),
      }),
    ),
    failed: z.array(z.object({ title: z.string(), why: z.string() })).describe("Conversations not imported at all."),
  })
  .meta({ id: "ImportReport", description: "ext: what an import did, per conversation." });

export type ImportReport = z.infer<typeof ImportReportSchema>;
export type ImportedChat = ImportReport["imported"][number];
export type Skipped = z.infer<typeof SkippedSchema>;

export const ExportQuery = z.object({
  format: z
    .preprocess((v) => (v === "" ? undefined : v), z.enum(["json", "md"]).optional())
    .transform((v) => v ?? "json")
    .describe(
      "`json` (default): Tandem's lossless format (ChatExport), for import; `md`: the active path as readable Markdown.",
    ),
});

/**
 * A chat's title, written by the model after its first successful run (the offline model
 * summarises the question deterministically), unless someone named the chat: a title counts as
 * the person's once it is neither the placeholder nor the excerpt the chat UI names a chat with.
 */
import { generateText } from "ai";
import { modelFor } from "@/lib/agents/models";
import { isPlaceholderTitle, titleFromMessage } from "@/lib/client/format";
import { firstExchange, renameSessionRowIf, requireSession } from "@/lib/db/sessions";
import { log } from "@/lib/log";
import { trimEndWhile, trimStartWhile, withoutBidiControls } from "@/lib/text";
import { announceUpdate } from "./announce";

export const TITLE_SYSTEM_PROMPT = [
  "You name chat conversations. Reply with a title of at most six words for the conversation below:",
  "its subject, in the language of the question, without quotes, punctuation at the end or a greeting.",
].join(" ");

/** The longest title kept from a model's reply (the API allows 200). */
const MAX_TITLE = 60;
/** How much of the first question and answer the model sees. */
const EXCERPT = 2000;

/** A model's reply as a title: its first non-empty line, without Markdown heading marks or quotes. */
export function cleanTitle(reply: string): string {
  const line = withoutBidiControls(reply.split("\n").find((l) => l.trim()) ?? "").replace(/\s+/g, " ");
  const t = trimEndWhile(trimStartWhile(line, /[\s#*"'`“”]/), /[\s#*"'`“”.!:]/);
  return t.length > MAX_TITLE ? `${t.slice(0, MAX_TITLE - 1).trimEnd()}…` : t;
}

/** Names the session after its first successful run; any failure leaves the title as it is. */
export async function titleAfterFirstRun(sessionId: string): Promise<void> {
  try {
    const exchange = await firstExchange(sessionId);
    if (!exchange?.question.trim()) return;
    const { question, answer } = exchange;
    const session = await requireSession(sessionId);
    const current = session.title;
    if (!isPlaceholderTitle(current) && current !== titleFromMessage(question)) return;
    const { model } = modelFor(session.assignments[0]?.agent.modelHint ?? "");
    const { text } = await generateText({
      model,
      system: TITLE_SYSTEM_PROMPT,
      prompt: `Question:\n${question.slice(0, EXCERPT)}\n\nAnswer:\n${answer.slice(0, EXCERPT)}`,
      providerOptions: { tandem: { task: "title" } },
      maxOutputTokens: 30,
    });
    const title = cleanTitle(text);
    if (!title || title === current) return;
    const renamed = await renameSessionRowIf(sessionId, current, title);
    if (renamed) announceUpdate(renamed);
  } catch (err) {
    log.warn({ session_id: sessionId, err }, "could not name the chat after its first run");
  }
}

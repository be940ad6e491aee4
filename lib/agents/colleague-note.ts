/**
 * How one agent's turn reaches the next agent: as a user turn headed "<name> (<role>) wrote:",
 * tagged with its author in provider options (real providers ignore the tag; the offline model
 * reads it to tell a colleague's notes from the person's request). Written and read here only.
 */
import type { ModelMessage } from "ai";

const TAG = "tandem";

export interface NoteAuthor {
  agent: string;
  role: string;
}

const header = ({ agent, role }: NoteAuthor) => `${agent}${role ? ` (${role})` : ""} wrote:\n`;

export function colleagueNote(author: NoteAuthor, text: string): ModelMessage {
  return {
    role: "user",
    content: header(author) + text,
    providerOptions: { [TAG]: { agent: author.agent, role: author.role } },
  };
}

/** A colleague's note as written by `colleagueNote`; null for a message without the tag (the person's). */
export function readColleagueNote(
  providerOptions: Record<string, unknown> | undefined,
  content: string,
): (NoteAuthor & { text: string }) | null {
  const tag = providerOptions?.[TAG] as { agent?: unknown; role?: unknown } | undefined;
  // A process's message (./process-messages.ts) carries the tag without an author.
  if (!tag || typeof tag !== "object" || typeof tag.agent !== "string") return null;
  const author = {
    agent: typeof tag.agent === "string" ? tag.agent : "",
    role: typeof tag.role === "string" ? tag.role : "",
  };
  const head = header(author);
  return { ...author, text: content.startsWith(head) ? content.slice(head.length) : content };
}

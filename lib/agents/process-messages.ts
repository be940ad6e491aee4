/**
 * What the processes (./processes.ts) add to an agent's model input, and the tools they offer:
 * a revision request (review) and a teammate's question (consult) reach the model as user turns
 * tagged in provider options, like colleagues' notes (./colleague-note.ts): real providers read
 * the words and ignore the tag; the offline model reads the tag, never the words. Written and
 * read here only.
 */
import type { ModelMessage } from "ai";

const TAG = "tandem";

/** The reviewer's tool: its verdict, structured, instead of words to match in its text. */
export const VERDICT_TOOL = "submit_verdict";
export const VERDICTS = ["approve", "changes"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The tool that puts a question to `agent` (consult). */
export const askTool = (agent: string) => `ask_${agent.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60)}`;

export interface RevisionRequest {
  reviewer: string;
  round: number;
  notes: string;
}

export function revisionRequest(r: RevisionRequest): ModelMessage {
  return {
    role: "user",
    content:
      `${r.reviewer} reviewed your draft (round ${r.round}) and requested changes:\n${r.notes}\n\n` +
      "Write the whole answer again with these changes made; do not describe the changes.",
    providerOptions: { [TAG]: { revision: { reviewer: r.reviewer, round: r.round, notes: r.notes } } },
  };
}

export interface Question {
  askedBy: string;
  question: string;
}

export function teammateQuestion(q: Question): ModelMessage {
  return {
    role: "user",
    content: `${q.askedBy}, your teammate, asks you:\n${q.question}\n\nAnswer briefly: your answer goes back to ${q.askedBy}.`,
    providerOptions: { [TAG]: { question: { asked_by: q.askedBy, text: q.question } } },
  };
}

/** What a tagged user turn carries: a revision request, a teammate's question, or neither. */
export function readProcessMessage(
  providerOptions: Record<string, unknown> | undefined,
): { revision: RevisionRequest } | { question: Question } | null {
  const tag = providerOptions?.[TAG] as { revision?: unknown; question?: unknown } | undefined;
  if (!tag || typeof tag !== "object") return null;
  const r = tag.revision as Partial<RevisionRequest> | undefined;
  if (r && typeof r === "object") {
    return {
      revision: { reviewer: String(r.reviewer ?? ""), round: Number(r.round) || 1, notes: String(r.notes ?? "") },
    };
  }
  const q = tag.question as { asked_by?: unknown; text?: unknown } | undefined;
  if (q && typeof q === "object")
    return { question: { askedBy: String(q.asked_by ?? ""), question: String(q.text ?? "") } };
  return null;
}

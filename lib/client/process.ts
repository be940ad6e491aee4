/**
 * A turn's process steps, for the "how we got here" strip: the review rounds (who drafted, the
 * reviewer's verdict and notes) and the consultations (who asked whom what), read from the
 * metadata the engine stores on the agents' messages (lib/agents/processes.ts). Pure.
 */
import type { Message } from "@/lib/contract/types";

export type Verdict = "approve" | "changes";

export interface ReviewRound {
  round: number;
  /** The drafting agents of the round, in order. */
  drafters: string[];
  reviewer: string | null;
  /** null: not given yet (the reviewer is still at work) or never given. */
  verdict: Verdict | null;
  notes: string;
}

export interface Consultation {
  id: number;
  askedBy: string;
  agent: string;
  question: string;
  /** The answer is still streaming. */
  pending: boolean;
}

export interface ProcessSteps {
  rounds: ReviewRound[];
  consultations: Consultation[];
}

interface StepMeta {
  round?: unknown;
  review?: unknown;
  verdict?: unknown;
  notes?: unknown;
  consultation?: { asked_by?: unknown; question?: unknown } | null;
}

const metaOf = (m: Message) => (m.metadata ?? {}) as StepMeta;

/** A reviewer's verdict or a consulted teammate's answer: a step of the process, never the turn's answer. */
export function isProcessStep(m: Message): boolean {
  const meta = metaOf(m);
  return m.role === "agent" && (meta.review === true || (typeof meta.consultation === "object" && !!meta.consultation));
}

/** The notes on one line for the strip: list markers dropped (the message itself keeps them). */
const plainNotes = (notes: string) =>
  notes
    .slice(0, 2000)
    .split("\n")
    .map((line) => line.trim().replace(/^[-*] /, ""))
    .filter(Boolean)
    .join(" ");

export function processSteps(items: Message[], indexes: number[]): ProcessSteps {
  const rounds = new Map<number, ReviewRound>();
  const consultations: Consultation[] = [];
  for (const i of [...indexes].sort((a, b) => a - b)) {
    const m = items[i];
    if (m?.role !== "agent") continue;
    const meta = metaOf(m);
    const agent = m.agent?.name ?? "";
    if (meta.consultation && typeof meta.consultation === "object") {
      consultations.push({
        id: m.id,
        askedBy: String(meta.consultation.asked_by ?? ""),
        agent,
        question: String(meta.consultation.question ?? ""),
        pending: m.metadata?.streaming === true,
      });
      continue;
    }
    if (typeof meta.round !== "number") continue;
    let round = rounds.get(meta.round);
    if (!round) {
      round = { round: meta.round, drafters: [], reviewer: null, verdict: null, notes: "" };
      rounds.set(meta.round, round);
    }
    if (meta.review === true) {
      round.reviewer = agent;
      round.verdict = meta.verdict === "approve" || meta.verdict === "changes" ? meta.verdict : null;
      round.notes = typeof meta.notes === "string" ? plainNotes(meta.notes) : "";
    } else if (!round.drafters.includes(agent)) round.drafters.push(agent);
  }
  return { rounds: [...rounds.values()].sort((a, b) => a.round - b.round), consultations };
}

/** "2 rounds · approved": what the folded strip says of a review. */
export function processSummary(steps: ProcessSteps): string {
  const parts: string[] = [];
  const n = steps.rounds.length;
  if (n) {
    const last = steps.rounds[n - 1];
    const verdict = last.verdict === "approve" ? "approved" : last.verdict === "changes" ? "changes requested" : "";
    parts.push(`${n} ${n === 1 ? "round" : "rounds"}${verdict ? ` · ${verdict}` : ""}`);
  }
  const q = steps.consultations.length;
  if (q) parts.push(`${q} ${q === 1 ? "question" : "questions"}`);
  return parts.join(" · ");
}

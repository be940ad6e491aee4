/**
 * The conversation as turns, for display: a user message, then what its run produced. The last
 * agent's answer is the turn's hero; the earlier agents' messages and the tool calls are "the
 * work" that folds into a strip above it; a user's guidance sent during the run (a steer) shows
 * between the two. Pure: derived from the reducer's items and the session's team.
 */
import type { Message } from "@/lib/contract/types";
import { displayName } from "./agents";
import { formatLatency } from "./format";
import { isProcessStep } from "./process";

export type Block =
  | { kind: "message"; index: number }
  | {
      kind: "turn";
      /** Stable across reloads: the user message the turn answers (`start` before any). */
      key: string;
      /** Indexes into items: earlier agents' messages and tool calls, in order. */
      work: number[];
      /** Guidance the user sent while the agents worked. */
      guidance: number[];
      /** The hero: the last agent's message (null while it has not started, or nobody wrote). */
      answer: number | null;
    };

export type FoldPref = "open" | "closed";

export interface FoldState {
  /** The reader's last choice, remembered across chats and reloads: how finished turns show. */
  pref: FoldPref | null;
  /** Choices made on particular turns, by turn key. */
  turns: Record<string, boolean>;
}

/** A turn's key: the user message it answers. */
export const turnKey = (userMessageId: number) => `u${userMessageId}`;

export const isSteer = (m: Message) => m.role === "user" && m.metadata?.steer === true;

/**
 * Groups items into blocks. `answerer` is the team's last agent (whose message is the answer);
 * `live` says the last turn is still being worked on (its answer may not have started).
 */
export function groupTurns(items: Message[], answerer: string | null, live: boolean): Block[] {
  const blocks: Block[] = [];
  let turn: { key: string; members: number[] } | null = null;
  const close = (isLast: boolean) => {
    // A user message's turn is kept with nothing in it yet (or ever: a run that failed before any
    // agent wrote): the server's status and failure show on it.
    if (!turn || (turn.members.length === 0 && turn.key === "start")) return;
    blocks.push(shapeTurn(items, turn.key, turn.members, answerer, live && isLast));
  };
  items.forEach((m, i) => {
    if (m.role === "user" && !isSteer(m)) {
      close(false);
      blocks.push({ kind: "message", index: i });
      turn = { key: turnKey(m.id), members: [] };
    } else if (m.role === "system") {
      blocks.push({ kind: "message", index: i });
    } else {
      turn ??= { key: "start", members: [] };
      turn.members.push(i);
    }
  });
  close(true);
  return blocks;
}

function shapeTurn(
  items: Message[],
  key: string,
  members: number[],
  answerer: string | null,
  live: boolean,
): Block & { kind: "turn" } {
  // A verdict or a consulted teammate's answer is a step of the work, never the answer.
  const agentMsgs = members.filter((i) => items[i].role === "agent" && !isProcessStep(items[i]));
  let answer: number | null = null;
  for (const i of agentMsgs) if (answerer && items[i].agent?.name === answerer) answer = i;
  // Without the team's last agent in it, a finished turn's last agent message is the answer.
  if (answer === null && !live && agentMsgs.length) answer = agentMsgs[agentMsgs.length - 1];
  const guidance = members.filter((i) => isSteer(items[i]));
  const work = members.filter((i) => i !== answer && !isSteer(items[i]));
  return { kind: "turn", key, work, guidance, answer };
}

/** Whether a block shows the message of this id (a turn: its run's messages). */
export function blockHas(block: Block, items: Message[], messageId: number): boolean {
  if (block.kind === "message") return items[block.index].id === messageId;
  const shows = (i: number | null) => i !== null && items[i].id === messageId;
  return shows(block.answer) || block.work.some(shows) || block.guidance.some(shows);
}

/** Whether a turn's work strip is open: the reader's choice, else open until the answer starts. */
export function workOpen(turn: Block & { kind: "turn" }, fold: FoldState, live: boolean): boolean {
  const chosen = fold.turns[turn.key];
  if (chosen !== undefined) return chosen;
  if (live && turn.answer === null) return true;
  return fold.pref === "open";
}

/** "1 tool · Researcher 2.6 s": what the strip says about the folded work. */
export function workSummary(items: Message[], work: number[]): string {
  const tools = work.filter((i) => items[i].role === "tool").length;
  const parts: string[] = [];
  if (tools) parts.push(`${tools} ${tools === 1 ? "tool" : "tools"}`);
  for (const i of work) {
    const m = items[i];
    if (m.role !== "agent") continue;
    const latency = formatLatency(m.latency_ms);
    parts.push(latency ? `${displayName(m.agent?.name)} ${latency}` : displayName(m.agent?.name));
  }
  return parts.join(" · ");
}

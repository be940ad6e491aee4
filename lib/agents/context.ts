/**
 * What an agent is shown: its system prompt and a bounded window of the conversation. The window
 * holds the newest messages that fit the token budget, so a send costs the same at message 10 as
 * at message 10,000.
 */
import type { ModelMessage } from "ai";
import type { AssignmentRow } from "@/lib/db/assignments";
import type { MessageRow } from "@/lib/db/messages";
import { colleagueNote } from "./colleague-note";

/** How many recent messages are read before the token budget trims them. */
export const CONTEXT_MESSAGES = 40;

/** What a continuing agent reads after its own cut-off text. */
export const CONTINUE_LINE =
  "Continue exactly where you stopped: write only what comes next, without repeating what you already wrote.";

/** How guidance the user sent while the agents worked (a steering message) reads to the model. */
const STEER_HEAD = "Guidance from the user while you were working: ";

/** A rough token estimate (about four characters a token in English). */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

export function systemPrompt(assignment: AssignmentRow, team: AssignmentRow[]): string {
  const { agent } = assignment;
  const position = team.findIndex((a) => a.id === assignment.id) + 1;
  const lineup = team.map((a) => `${a.agent.name} (${a.agent.role})`).join(" → ");
  const parts = [
    `You are ${agent.name}, the ${agent.role} on a team of AI agents who answer the user together.`,
    `The team works in this order: ${lineup}. You are step ${position} of ${team.length}.`,
    "",
    agent.description.trim(),
  ];
  if (assignment.promptOverride.trim()) {
    parts.push("", "Instructions for this conversation:", assignment.promptOverride.trim());
  }
  return parts.join("\n");
}

/**
 * The conversation as the agent sees it (`history` chronological, ending with this turn's
 * messages): the user's messages as user turns (guidance marked as such), its own earlier
 * messages as assistant turns, and other agents' messages as colleagues' notes (colleague-note.ts).
 */
export function conversation(
  history: MessageRow[],
  { agentId, inTurn, budgetTokens }: { agentId: number; inTurn: (m: MessageRow) => boolean; budgetTokens: number },
): ModelMessage[] {
  const picked: MessageRow[] = [];
  let used = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i];
    if (m.role !== "user" && m.role !== "agent") continue;
    const cost = estimateTokens(m.content) + 4;
    // This turn's messages (the request, guidance, earlier agents' turns) always go in; older ones fit the budget.
    if (!inTurn(m) && used + cost > budgetTokens) break;
    picked.push(m);
    used += cost;
  }
  picked.reverse();
  // Start with a user turn: most providers reject a conversation that opens with the assistant.
  while (picked.length > 1 && picked[0].role !== "user") picked.shift();
  return picked.map((m): ModelMessage => {
    if (m.role === "user") return { role: "user", content: isSteer(m) ? STEER_HEAD + m.content : m.content };
    if (m.agentId === agentId) return { role: "assistant", content: m.content };
    return colleagueNote({ agent: m.agent?.name ?? "another agent", role: m.agent?.role ?? "" }, m.content);
  });
}

const isSteer = (m: MessageRow) => (m.metadata as { steer?: unknown } | null)?.steer === true;

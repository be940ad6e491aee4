/**
 * The processes beyond `sequential` (./engine.ts), and what bounds them:
 * - `review`: the drafting members write, the last member reviews and gives a structured verdict
 *   through a tool (never read from its words); on requested changes the drafters revise, reading
 *   the notes; at most `max_rounds` rounds.
 * - `consult`: the members take their turns in order, and each may put questions to a teammate
 *   through `ask_<teammate>` tools; the teammate's answer is a nested, streamed, stored turn that
 *   comes back as the tool's result. One level deep, a few questions per turn.
 * Every process ends: rounds and questions are capped, steps by TANDEM_MAX_TOOL_STEPS, and the run
 * keeps a token and a time budget, checked before each round, turn and question. What happened
 * (outcome, tokens per round and per consultation) goes to the run log's `extra.process`.
 */
import { type ToolSet, tool, zodSchema } from "ai";
import { z } from "zod";
import type { Json } from "@/lib/contract/types";
import type { AssignmentRow } from "@/lib/db/assignments";
import type { MessageRow } from "@/lib/db/messages";
import { env } from "@/lib/env";
import type { AgentMetrics, LiveRun, ProcessOutcome, ProcessReport, Tokens } from "@/lib/runs/live-run";
import {
  askTool,
  type RevisionRequest,
  revisionRequest,
  teammateQuestion,
  VERDICT_TOOL,
  VERDICTS,
  type Verdict,
} from "./process-messages";
import { agentTurn, joinGuidance, type RunScope } from "./turn";

/** The tokens of the turns measured since `from` (an index into the run's per-agent metrics). */
function tokensSince(run: LiveRun, from: number): Tokens {
  const turns: AgentMetrics[] = run.agents.slice(from);
  return {
    tokens_prompt: turns.reduce((n, m) => n + m.tokens_prompt, 0),
    tokens_completion: turns.reduce((n, m) => n + m.tokens_completion, 0),
  };
}

/** The run's token and time budget (0: none). */
class Budget {
  private readonly started = performance.now();
  constructor(
    private readonly run: LiveRun,
    private readonly report: ProcessReport,
  ) {}

  /** Why the run must not start more work, or null. Also brings the report's figures up to date. */
  spent(): "token_budget" | "time_budget" | null {
    const b = this.report.budget;
    const used = tokensSince(this.run, 0);
    b.tokens_used = used.tokens_prompt + used.tokens_completion;
    b.elapsed_ms = Math.round(performance.now() - this.started);
    if (b.tokens > 0 && b.tokens_used >= b.tokens) return "token_budget";
    if (b.time_ms > 0 && b.elapsed_ms >= b.time_ms) return "time_budget";
    return null;
  }
}

function startReport(scope: RunScope, name: ProcessReport["name"]): { report: ProcessReport; budget: Budget } {
  const report: ProcessReport = {
    name,
    outcome: null,
    rounds: [],
    consultations: [],
    budget: {
      tokens: env.TANDEM_RUN_TOKEN_BUDGET,
      time_ms: env.TANDEM_RUN_TIME_BUDGET_MS,
      tokens_used: 0,
      elapsed_ms: 0,
    },
  };
  scope.run.process = report;
  return { report, budget: new Budget(scope.run, report) };
}

function endReport(scope: RunScope, report: ProcessReport, budget: Budget, outcome: ProcessOutcome) {
  budget.spent();
  report.outcome = outcome;
  scope.emit("process_ended", { process: report.name, outcome, rounds: report.rounds.length });
}

// The processes' tool inputs, wrapped once: the AI SDK converts a schema it is given to JSON
// Schema at every step, unless it is one of its own schemas, which keep the conversion.
const verdictInput = zodSchema(
  z.object({
    verdict: z
      .enum(VERDICTS)
      .describe("`approve`: the draft can go to the user as it is; `changes`: it needs revising."),
    notes: z
      .string()
      .max(4000)
      .describe("What must change, as short specific points (for `approve`: why the draft holds up)."),
  }),
);
const questionInput = zodSchema(
  z.object({ question: z.string().min(1).max(2000).describe("The question, self-contained.") }),
);

/** How a verdict given only through the tool reads in the chat. */
export const verdictText = (v: { verdict: Verdict; notes: string } | null) =>
  v === null
    ? "(no verdict)"
    : `${v.verdict === "approve" ? "**Approved**" : "**Changes requested**"}\n\n${v.notes}`.trim();

/** The review loop: drafts, a verdict, revisions, until approved or `maxRounds` rounds. */
export async function review(scope: RunScope, history: MessageRow[], maxRounds: number): Promise<void> {
  const { run, emit } = scope;
  const drafters = scope.team.slice(0, -1);
  const reviewer = scope.team[scope.team.length - 1];
  const { report, budget } = startReport(scope, "review");
  report.max_rounds = maxRounds;
  let revision: RevisionRequest | null = null;
  for (let round = 1; round <= maxRounds; round++) {
    const spent = budget.spent();
    if (spent) return endReport(scope, report, budget, spent);
    emit("round_started", { process: "review", round, max_rounds: maxRounds });
    const from = run.agents.length;
    for (const assignment of drafters) {
      await joinGuidance(scope, history);
      const prompt = revision ? [revisionRequest(revision)] : undefined;
      history.push(await agentTurn(scope, { assignment, history, prompt, meta: { round } }));
    }
    await joinGuidance(scope, history);
    let given: { verdict: Verdict; notes: string } | null = null;
    // `review` marks the verdict's message from its first token: readers never take it for the answer.
    const meta: Record<string, Json> = { round, review: true };
    const tools: ToolSet = {
      [VERDICT_TOOL]: tool({
        description: "Give your verdict on the draft: approve it, or request changes with notes.",
        inputSchema: verdictInput,
        execute: async (input) => {
          given = { verdict: input.verdict, notes: input.notes.trim() };
          Object.assign(meta, given);
          return { recorded: true };
        },
      }),
    };
    const message = await agentTurn(scope, {
      assignment: reviewer,
      history,
      tools,
      stopOn: VERDICT_TOOL,
      instructions:
        `You review in rounds: this is round ${round} of at most ${maxRounds}. Give your verdict by calling ` +
        `${VERDICT_TOOL} once: "approve", or "changes" with notes the drafter can act on.`,
      meta,
      fallbackText: () => verdictText(given),
    });
    history.push(message);
    // Set inside the tool's execute: TypeScript's narrowing cannot see that assignment.
    const verdict = given as { verdict: Verdict; notes: string } | null;
    report.rounds.push({
      round,
      verdict: verdict?.verdict ?? null,
      notes: verdict?.notes ?? "",
      ...tokensSince(run, from),
    });
    emit("review_verdict", {
      round,
      agent: reviewer.agent.name,
      verdict: verdict?.verdict ?? null,
      notes: verdict?.notes ?? "",
      message_id: message.id,
    });
    if (!verdict) return endReport(scope, report, budget, "no_verdict");
    if (verdict.verdict === "approve") return endReport(scope, report, budget, "approved");
    revision = { reviewer: reviewer.agent.name, round, notes: verdict.notes };
  }
  endReport(scope, report, budget, "max_rounds");
}

/**
 * The consult process's questions: `toolsFor(member)` gives a member its `ask_<teammate>` tools
 * for one turn (a fresh cap each turn); `done()` reports the end. The consulted teammate's turn
 * gets no ask tools (one level deep) and reads the conversation so far, then the question.
 */
export function consult(scope: RunScope, history: MessageRow[]) {
  const { run, emit } = scope;
  const { report, budget } = startReport(scope, "consult");
  const cap = env.TANDEM_MAX_QUESTIONS;
  const toolsFor = (asker: AssignmentRow): ToolSet => {
    let asked = 0;
    const set: ToolSet = {};
    for (const teammate of scope.team) {
      if (teammate.id === asker.id) continue;
      const { name, role } = teammate.agent;
      set[askTool(name)] = tool({
        description: `Ask ${name} (${role}), your teammate, one question; their answer comes back. At most ${cap} questions a turn.`,
        inputSchema: questionInput,
        execute: async ({ question }, { toolCallId }) => {
          if (asked >= cap) return { error: `You have asked ${cap} questions this turn: answer with what you have.` };
          if (budget.spent()) return { error: "The run's budget is spent: answer with what you have." };
          asked++;
          const askedBy = asker.agent.name;
          emit("consultation_started", { asked_by: askedBy, agent: name, question, tool_call_id: toolCallId });
          const from = run.agents.length;
          const entry: ProcessReport["consultations"][number] = {
            asked_by: askedBy,
            agent: name,
            question,
            message_id: null,
            ...tokensSince(run, from),
          };
          report.consultations.push(entry);
          try {
            const answer = await agentTurn(scope, {
              assignment: teammate,
              history: [...history],
              prompt: [teammateQuestion({ askedBy, question })],
              meta: { consultation: { asked_by: askedBy, question } },
            });
            history.push(answer);
            entry.message_id = answer.id;
            return { answer: answer.content };
          } catch (e) {
            // A stopped run stops here; a teammate who failed (timed out) is the asker's to work around.
            if (run.signal.aborted) throw e;
            entry.error = e instanceof Error ? e.message : String(e);
            return { error: `${name} could not answer: ${entry.error}` };
          } finally {
            Object.assign(entry, tokensSince(run, from));
            emit("consultation_ended", {
              asked_by: askedBy,
              agent: name,
              tool_call_id: toolCallId,
              message_id: entry.message_id,
              ...(entry.error ? { error: entry.error } : {}),
            });
          }
        },
      });
    }
    return set;
  };
  return { toolsFor, done: () => endReport(scope, report, budget, "completed") };
}

/**
 * The collaboration engine: inside a run opened by the lifecycle (lib/runs), the session's
 * assigned, active agents work on the user's message in the session's process: `sequential`
 * (each once, in order) here, `review` and `consult` in ./processes.ts; each turn is ./turn.ts.
 * The engine never decides how a run ends: it returns when the agents are done or throws what
 * stopped them, and the lifecycle turns that into the run's outcome.
 */
import { activeAssignments } from "@/lib/db/assignments";
import { type MessageRow, resumedWork } from "@/lib/db/messages";
import { sessionProcess } from "@/lib/db/sessions";
import { pathContext } from "@/lib/db/turns";
import type { LiveRun } from "@/lib/runs/live-run";
import { reasons } from "@/lib/runs/reasons";
import { CONTEXT_MESSAGES } from "./context";
import { consult, review } from "./processes";
import { agentTurn, joinGuidance, runScope } from "./turn";

/**
 * The session's agents work on `userMessage`; throws what stopped them. A continuation skips the
 * agents that finished in the run it resumes and lets the cut-off one go on from what it wrote
 * (a review starts its rounds again, reading the work it resumes).
 */
export async function collaborate(run: LiveRun, userMessage: MessageRow): Promise<void> {
  const [team, recent, resumed, setup] = await Promise.all([
    activeAssignments(run.sessionPk),
    pathContext(run.sessionPk, CONTEXT_MESSAGES),
    run.turn.resumesRunId === null ? null : resumedWork(run.turn.resumesRunId),
    sessionProcess(run.sessionPk),
  ]).catch((e) => {
    throw reasons.databaseFailed("read the session's agents and messages", e);
  });
  const history = recent.reverse();
  const scope = runScope(run, team, userMessage, resumed?.runIds ?? []);
  // A review needs a drafter and a reviewer; with one member it is a sequential turn.
  if (setup.process === "review" && team.length > 1) return review(scope, history, setup.maxRounds);
  const ask = setup.process === "consult" && team.length > 1 ? consult(scope, history) : null;
  for (const assignment of team) {
    const earlier = resumed?.byAgent.get(assignment.agent.id);
    if (earlier && !earlier.cut) continue;
    await joinGuidance(scope, history);
    const message = await agentTurn(scope, {
      assignment,
      history,
      resume: earlier?.message,
      tools: ask?.toolsFor(assignment),
    });
    if (message.id !== earlier?.message.id) history.push(message);
  }
  ask?.done();
}

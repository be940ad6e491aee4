/**
 * Other versions of a turn: regenerate (the agents answer the same message again), edit (a new
 * version of the user's message, answered from the same point), retry (regenerate a failed or
 * cancelled run), continue (the cut-off agent goes on, then the remaining ones), and select
 * (switch the conversation to another version). Nothing is deleted: each action opens a new run
 * in the conversation's tree (lib/db/turns.ts), through the session's queue like a send.
 */
import { selectHeadRun } from "@/lib/db/runs";
import { requireSessionKey } from "@/lib/db/sessions";
import { activePath, loadRunTree, type RunNode, type RunTree, turnRoot } from "@/lib/db/turns";
import { fieldError, notFound, TandemError } from "@/lib/errors";
import { publish } from "@/lib/realtime/hub";
import { type Delivery, openTurn, type SendResult } from "./index";

type Target = { runId?: number } & Delivery;

const ended = (r: RunNode) => r.status === "error" || r.status === "cancelled";

/** The run named (of this session, started), or the last run of the active path. */
function pick(tree: RunTree, runId: number | undefined): RunNode {
  if (runId === undefined) {
    const last = activePath(tree).at(-1);
    if (!last) throw new TandemError("conflict", "This conversation has no turn yet.");
    return last;
  }
  const run = tree.byId.get(runId);
  if (!run || run.status === "queued") throw notFound();
  return run;
}

/** A new answer to the turn's message, beside the old one. */
export async function regenerate(sessionId: string, target: Target): Promise<SendResult> {
  return again(sessionId, target, "regenerate");
}

/** Regenerates a run that failed or was cancelled (409 for any other). */
export async function retry(sessionId: string, target: Target): Promise<SendResult> {
  return again(sessionId, target, "retry");
}

async function again(sessionId: string, target: Target, kind: "regenerate" | "retry"): Promise<SendResult> {
  const session = await requireSessionKey(sessionId);
  const tree = await loadRunTree(session.id);
  const run = pick(tree, target.runId);
  if (kind === "retry" && !ended(run)) {
    throw new TandemError("conflict", "Only a run that failed or was cancelled can be retried.");
  }
  // A continuation belongs to the turn it resumed: the whole turn is answered again.
  const root = turnRoot(tree, run);
  if (root.userMessageId === null) throw new TandemError("conflict", "This run has no message to answer again.");
  return openTurn(session, { kind, userMessageId: root.userMessageId, parentRunId: root.parentRunId }, target);
}

/** The cut-off agent of a failed or cancelled run goes on from what it wrote, then the remaining agents. */
export async function continueRun(sessionId: string, target: Target): Promise<SendResult> {
  const session = await requireSessionKey(sessionId);
  const run = pick(await loadRunTree(session.id), target.runId);
  if (!ended(run)) throw new TandemError("conflict", "Only a run that failed or was cancelled can be continued.");
  return openTurn(
    session,
    { kind: "continue", userMessageId: run.userMessageId ?? undefined, parentRunId: run.id, resumesRunId: run.id },
    target,
  );
}

/** A new version of a user message on the active path, answered from the same point of the conversation. */
export async function editMessage(
  sessionId: string,
  input: { messageId: number; content: string } & Delivery,
): Promise<SendResult> {
  const session = await requireSessionKey(sessionId);
  const tree = await loadRunTree(session.id);
  const run = activePath(tree).find((r) => r.kind !== "continue" && r.userMessageId === input.messageId);
  if (!run) throw fieldError("message_id", "Not a user message of the conversation's active path.");
  return openTurn(
    session,
    { kind: "edit", content: input.content, metadata: { edit_of: input.messageId }, parentRunId: run.parentRunId },
    input,
  );
}

/** Switches the conversation to another version: the active path runs through `runId` (409 while a run is going). */
export async function selectVersion(sessionId: string, runId: number): Promise<{ head_run_id: number }> {
  const session = await requireSessionKey(sessionId);
  const run = (await loadRunTree(session.id)).byId.get(runId);
  if (!run || run.status === "queued") throw notFound();
  if (!(await selectHeadRun(session.id, runId))) {
    throw new TandemError("conflict", "A run is in progress for this session; wait for it to finish or cancel it.");
  }
  publish(session.sessionId, "path_changed", { session_id: session.sessionId, head_run_id: runId });
  return { head_run_id: runId };
}

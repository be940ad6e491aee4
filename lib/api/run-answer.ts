/**
 * The answer to anything that opens a run (send, regenerate, edit, retry, continue), in one place:
 * 202 with the run and its place when the caller did not wait (or steered), else 200 with the
 * run's messages (user message first), or the run's failure as a 502.
 */
import { messageJson } from "@/lib/contract/serialize";
import { TandemError } from "@/lib/errors";
import type { SendResult } from "@/lib/runs";

export function runAnswer(result: SendResult): Response {
  if (result.kind === "steering") {
    return Response.json({ run_id: result.runId, message: result.message, status: "steering" }, { status: 202 });
  }
  if (result.kind === "accepted") {
    const { runId, message, status, position } = result;
    return Response.json({ run_id: runId, message, status, position }, { status: 202 });
  }
  const { outcome } = result;
  if (outcome.status === "error") {
    throw new TandemError("bad_gateway", outcome.error ?? "The run failed.", { extra: { run_id: outcome.runId } });
  }
  return Response.json(outcome.messages.map(messageJson));
}

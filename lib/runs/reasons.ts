/**
 * Every sentence a person reads about why a run ended (run log `details`, `run_error.error`, an
 * agent message's `metadata.error`), in one place.
 */
import { APICallError } from "ai";
import { databaseErrorMessage } from "@/lib/db/orm";
import { env } from "@/lib/env";

/** A failure already described for people: its message is what `run_error` says. */
export class RunFailure extends Error {
  override name = "RunFailure";
}

/** By name, not `instanceof`: Next bundles route handlers apart from server.ts (DEVELOPERS.md). */
const isRunFailure = (e: unknown): e is RunFailure => e instanceof Error && e.name === "RunFailure";

/** How a run ended. `error` is the sentence shown; `cause` the underlying error, for the log. */
export type Outcome =
  | { status: "success"; agents: string[] }
  | { status: "cancelled" }
  | { status: "error"; error: string; cause?: unknown };

export const reasons = {
  /** The run log's `details` for each outcome. */
  details(outcome: Outcome): string {
    if (outcome.status === "success") return `Completed: ${outcome.agents.join(", ") || "no active agents assigned"}.`;
    if (outcome.status === "cancelled") return "Cancelled by request.";
    return outcome.error;
  },
  shutdown: "The server shut down before the run finished. Send your message again.",
  /**
   * A run whose lease lapsed. All that is known is that its instance stopped renewing the lease:
   * it died, or it could not write to the database (then it told its clients the real reason).
   */
  interrupted:
    "Interrupted: the server running this run stopped, or could not write to the database, before it recorded the end. Send your message again.",
  agentTimedOut: (agent: string) =>
    new RunFailure(`${agent} did not finish within ${env.TANDEM_AGENT_TIMEOUT_MS} ms (TANDEM_AGENT_TIMEOUT_MS).`),
  /** A database read or write the run cannot go on without, e.g. `store the agent's message`. */
  databaseFailed: (action: string, e: unknown) =>
    new RunFailure(`Could not ${action}: ${databaseErrorMessage(e).slice(0, 300)}`, { cause: e }),
};

/** What went wrong in a run, in words a person can act on. */
export function describeFailure(e: unknown): string {
  if (isRunFailure(e)) return e.message;
  if (APICallError.isInstance(e)) {
    const status = e.statusCode;
    if (status === 401 || status === 403)
      return `The model provider refused the credentials (HTTP ${status}); check OPENAI_API_KEY.`;
    if (status === 404)
      return `The model provider does not know this model or endpoint (HTTP 404); check the agent's model hint and OPENAI_BASE_URL.`;
    if (status === 429)
      return "The model provider is rate-limiting requests (HTTP 429) and retries ran out; try again shortly.";
    if (status && status >= 500) {
      const retries = env.TANDEM_MODEL_RETRIES;
      return `The model provider failed (HTTP ${status}) after ${retries} ${retries === 1 ? "retry" : "retries"}; try again shortly.`;
    }
    if (status === undefined)
      return `Could not reach the model provider (${e.message}); check OPENAI_BASE_URL and the network.`;
    return `The model provider rejected the request (HTTP ${status}): ${e.message}`;
  }
  const err = e as { name?: string; message?: string; lastError?: unknown } | null;
  if (err?.name === "AI_RetryError" && err.lastError) return describeFailure(err.lastError);
  const message = err?.message ?? String(e);
  return `The model's answer could not be read (${message}).`;
}

/**
 * A run of this process, with its state (see the state machine in lib/runs/index.ts). The engine
 * (lib/agents) works inside it: it reads `signal`, records what it stores and measures, and calls
 * `fail` when it cannot go on; only the lifecycle moves it between states and ends it.
 */
import type { Verdict } from "@/lib/agents/process-messages";
import type { MessageRow } from "@/lib/db/messages";
import type { RunKind } from "@/lib/db/runs";
import { describeFailure, type Outcome, type RunFailure, reasons } from "./reasons";

export type RunState = "starting" | "running" | "cancelling" | "stopping" | "failed" | "ended";

/** One agent's share of a run, kept in the run log's `extra.agents`. */
export interface AgentMetrics {
  agent: string;
  model: string;
  tokens_prompt: number;
  tokens_completion: number;
  latency_ms: number;
  steps: number;
  tool_calls: number;
}

export type ProcessOutcome = "approved" | "max_rounds" | "no_verdict" | "completed" | "token_budget" | "time_budget";

export interface Tokens {
  tokens_prompt: number;
  tokens_completion: number;
}

/** The run log's `extra.process`. */
export interface ProcessReport {
  name: "review" | "consult";
  outcome: ProcessOutcome | null;
  max_rounds?: number;
  rounds: Array<Tokens & { round: number; verdict: Verdict | null; notes: string }>;
  consultations: Array<
    Tokens & { asked_by: string; agent: string; question: string; message_id: number | null; error?: string }
  >;
  budget: { tokens: number; time_ms: number; tokens_used: number; elapsed_ms: number };
}

/** Where a run stands in the conversation's tree of runs (lib/db/turns.ts). */
export interface TurnInfo {
  kind: RunKind;
  parentRunId: number | null;
  /** continue: the run whose cut-off work this one resumes. */
  resumesRunId: number | null;
}

export class LiveRun {
  private current: RunState = "starting";
  private readonly controller = new AbortController();
  private failure: RunFailure | null = null;
  /** Everything the run stored, its user message first. */
  readonly messages: MessageRow[];
  /** Per-agent metrics, failed turns included. */
  readonly agents: AgentMetrics[] = [];
  /** A review or consult process's account (the run log's `extra.process`); null: sequential. */
  process: ProcessReport | null = null;

  constructor(
    readonly runId: number,
    readonly sessionPk: number,
    readonly sessionId: string,
    userMessage: MessageRow,
    readonly turn: TurnInfo,
  ) {
    this.messages = [userMessage];
  }

  get state(): RunState {
    return this.current;
  }

  /** Aborted when the run must stop: cancelled, server stopping, or failed. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** starting → running; false when the run was stopped before it started. */
  begin(): boolean {
    if (this.current !== "starting") return false;
    this.current = "running";
    return true;
  }

  /** A person asked to stop it (here or through another instance). */
  cancel(): void {
    this.interrupt("cancelling", new Error("cancelled"));
  }

  /** The server is stopping and the grace period is over. */
  stop(): void {
    this.interrupt("stopping", new Error("server stopping"));
  }

  /** The engine hit a failure it cannot go on from, somewhere its error would not surface (a tool). */
  fail(failure: RunFailure): void {
    if (this.interrupt("failed", failure)) this.failure = failure;
  }

  /**
   * How the run ends, given what ended its turn loop (`undefined`: the agents all finished, so it
   * succeeded, even if a stop came in after the last of them).
   */
  outcome(error?: unknown): Outcome {
    if (error === undefined) return { status: "success", agents: this.agents.map((a) => a.agent) };
    switch (this.current) {
      case "cancelling":
        return { status: "cancelled" };
      case "stopping":
        return { status: "error", error: reasons.shutdown, cause: error };
      case "failed":
        return { status: "error", error: this.failure!.message, cause: this.failure!.cause };
      default:
        return { status: "error", error: describeFailure(error), cause: error };
    }
  }

  /** The lifecycle has recorded and announced the end. */
  ended(): void {
    this.current = "ended";
  }

  /** The first stop wins: a cancel during shutdown stays a shutdown, and the reverse. */
  private interrupt(to: "cancelling" | "stopping" | "failed", reason: Error): boolean {
    if (this.current !== "starting" && this.current !== "running") return false;
    this.current = to;
    this.controller.abort(reason);
    return true;
  }
}

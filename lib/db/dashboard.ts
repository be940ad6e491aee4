/** The admin dashboard's aggregates, computed by the database per UTC day. */
import type { RunStatus } from "@/generated/sqlite/enums";
import { db } from "./connection";
import { postgres } from "./orm";

export interface RunsPerDay {
  day: string;
  status: RunStatus;
  count: number;
}

export interface AgentDay {
  day: string;
  agentId: number | null;
  messages: number;
  avgLatencyMs: number | null;
  tokens: number;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Runs per UTC day and status since `since` (inclusive day). */
export async function runsPerDay(since: Date): Promise<RunsPerDay[]> {
  const from = dayOf(since);
  const rows = postgres()
    ? await db().$queryRaw<{ day: string; status: string; n: bigint | number }[]>`
        SELECT to_char(created_at, 'YYYY-MM-DD') AS day, status::text AS status, COUNT(*) AS n
        FROM run_log WHERE created_at >= ${from}::timestamp GROUP BY 1, 2 ORDER BY 1, 2`
    : await db().$queryRaw<{ day: string; status: string; n: bigint | number }[]>`
        SELECT substr(created_at, 1, 10) AS day, status, COUNT(*) AS n
        FROM run_log WHERE created_at >= ${from} GROUP BY 1, 2 ORDER BY 1, 2`;
  return rows.map((r) => ({ day: r.day, status: r.status as RunStatus, count: Number(r.n) }));
}

/** Agent messages per UTC day and agent: count, mean turn latency, tokens (prompt + completion). */
export async function agentStatsPerDay(since: Date): Promise<AgentDay[]> {
  const from = dayOf(since);
  type Row = {
    day: string;
    agent_id: number | null;
    n: bigint | number;
    latency: number | null;
    tokens: bigint | number | null;
  };
  const rows = postgres()
    ? await db().$queryRaw<Row[]>`
        SELECT to_char(created_at, 'YYYY-MM-DD') AS day, agent_id, COUNT(*) AS n,
               AVG(latency_ms)::float8 AS latency,
               SUM(COALESCE(tokens_prompt, 0) + COALESCE(tokens_completion, 0))::int8 AS tokens
        FROM message WHERE role = 'agent' AND created_at >= ${from}::timestamp GROUP BY 1, 2 ORDER BY 1, 2`
    : await db().$queryRaw<Row[]>`
        SELECT substr(created_at, 1, 10) AS day, agent_id, COUNT(*) AS n,
               AVG(latency_ms) AS latency,
               SUM(COALESCE(tokens_prompt, 0) + COALESCE(tokens_completion, 0)) AS tokens
        FROM message WHERE role = 'agent' AND created_at >= ${from} GROUP BY 1, 2 ORDER BY 1, 2`;
  return rows.map((r) => ({
    day: r.day,
    agentId: r.agent_id === null ? null : Number(r.agent_id),
    messages: Number(r.n),
    avgLatencyMs: r.latency === null ? null : Number(r.latency),
    tokens: Number(r.tokens ?? 0),
  }));
}

export async function dashboardTotals() {
  const [sessions, messages, runs, agents, tools, running] = await Promise.all([
    db().chatSession.count(),
    db().message.count(),
    db().runLog.count(),
    db().agent.count(),
    db().tool.count(),
    db().runLog.count({ where: { status: "running" } }),
  ]);
  return { sessions, messages, runs, agents, tools, running };
}

export interface AgentRatings {
  agentId: number | null;
  up: number;
  down: number;
}

/** Thumbs up and down per agent, over the agent messages written since `since`. */
export async function ratingsPerAgent(since: Date): Promise<AgentRatings[]> {
  const rows = await db().message.groupBy({
    by: ["agentId", "rating"],
    where: { role: "agent", rating: { not: null }, createdAt: { gte: since } },
    _count: { _all: true },
  });
  const byAgent = new Map<number | null, AgentRatings>();
  for (const r of rows) {
    const entry = byAgent.get(r.agentId) ?? { agentId: r.agentId, up: 0, down: 0 };
    if (r.rating === 1) entry.up += r._count._all;
    else if (r.rating === -1) entry.down += r._count._all;
    byAgent.set(r.agentId, entry);
  }
  return [...byAgent.values()].sort((a, b) => b.up + b.down - (a.up + a.down));
}

/** A process's runs in a range (lib/agents/processes.ts writes `extra.process`). */
export interface ProcessStats {
  process: string;
  runs: number;
  /** approved, max_rounds, completed, token_budget, … → runs. */
  outcomes: Record<string, number>;
  rounds: number;
  roundTokens: number;
  consultations: number;
  consultationTokens: number;
}

/** How many of the newest runs the process figures read (their JSON is summed here, alike for both providers). */
export const PROCESS_STATS_RUNS = 2000;

interface ReportJson {
  name?: unknown;
  outcome?: unknown;
  rounds?: Array<{ tokens_prompt?: number; tokens_completion?: number }>;
  consultations?: Array<{ tokens_prompt?: number; tokens_completion?: number }>;
}

const tokensOf = (steps: ReportJson["rounds"] = []) =>
  steps.reduce((n, s) => n + (s.tokens_prompt ?? 0) + (s.tokens_completion ?? 0), 0);

/** Review and consult runs since `since` (the newest PROCESS_STATS_RUNS runs): outcomes, rounds, questions, tokens. */
export async function processStats(since: Date): Promise<ProcessStats[]> {
  const rows = await db().runLog.findMany({
    where: { createdAt: { gte: since }, status: { in: ["success", "error", "cancelled"] } },
    orderBy: { id: "desc" },
    take: PROCESS_STATS_RUNS,
    select: { extra: true },
  });
  const by = new Map<string, ProcessStats>();
  for (const { extra } of rows) {
    const report = (extra as { process?: ReportJson } | null)?.process;
    if (!report || typeof report.name !== "string") continue;
    const s = by.get(report.name) ?? {
      process: report.name,
      runs: 0,
      outcomes: {},
      rounds: 0,
      roundTokens: 0,
      consultations: 0,
      consultationTokens: 0,
    };
    s.runs++;
    const outcome = typeof report.outcome === "string" ? report.outcome : "unfinished";
    s.outcomes[outcome] = (s.outcomes[outcome] ?? 0) + 1;
    s.rounds += report.rounds?.length ?? 0;
    s.roundTokens += tokensOf(report.rounds);
    s.consultations += report.consultations?.length ?? 0;
    s.consultationTokens += tokensOf(report.consultations);
    by.set(report.name, s);
  }
  return [...by.values()].sort((a, b) => a.process.localeCompare(b.process));
}

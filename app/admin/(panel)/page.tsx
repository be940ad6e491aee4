import type { Metadata } from "next";
import Link from "next/link";
import { agentSeriesColor, LineChart, type Series, STATUS_COLORS, StackedBars } from "@/app/admin/_components/charts";
import { param, type SearchParams, withQuery } from "@/app/admin/_components/params";
import { Card, PageHeader } from "@/app/admin/_components/ui";
import { requireAdminPage } from "@/lib/admin/next";
import { agentNames } from "@/lib/db/agents";
import {
  agentStatsPerDay,
  dashboardTotals,
  type ProcessStats,
  processStats,
  ratingsPerAgent,
  runsPerDay,
} from "@/lib/db/dashboard";

export const metadata: Metadata = { title: "Dashboard" };

const RANGES = [7, 14, 30, 90] as const;

function dayList(days: number): string[] {
  const out: string[] = [];
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  for (let i = days - 1; i >= 0; i--) out.push(new Date(today - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

function Stat({ label, value, href, tone }: { label: string; value: string; href?: string; tone?: "amber" | "red" }) {
  const body = (
    <div
      className="rounded-card border border-line bg-surface px-4 py-3 shadow-soft"
      data-testid={`stat-${label.toLowerCase().replace(/\s+/g, "-")}`}
    >
      <div className="text-xs font-medium uppercase tracking-wide text-muted">{label}</div>
      <div
        className={`mt-1 text-2xl font-semibold tabular-nums ${tone === "red" ? "text-danger-ink" : tone === "amber" ? "text-secondary-ink" : "text-ink"}`}
      >
        {value}
      </div>
    </div>
  );
  return href ? (
    <Link href={href} className="block rounded-card hover:ring-2 hover:ring-primary-ring">
      {body}
    </Link>
  ) : (
    body
  );
}

export default async function DashboardPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  await requireAdminPage(withQuery("/admin", params));
  const range = RANGES.find((r) => String(r) === param(params, "days")) ?? 14;
  const days = dayList(range);
  const since = new Date(`${days[0]}T00:00:00.000Z`);
  const [totals, runs, agentDays, ratings, names, processes] = await Promise.all([
    dashboardTotals(),
    runsPerDay(since),
    agentStatsPerDay(since),
    ratingsPerAgent(since),
    agentNames(),
    processStats(since),
  ]);

  const index = new Map(days.map((d, i) => [d, i]));
  const statusSeries: Series[] = (["success", "error", "cancelled", "running"] as const).map((status) => {
    const values: number[] = days.map(() => 0);
    for (const r of runs) if (r.status === status && index.has(r.day)) values[index.get(r.day)!] += r.count;
    return { key: status, label: status, color: STATUS_COLORS[status], values };
  });
  const finished = days.map((_, i) =>
    statusSeries.filter((s) => s.key !== "running").reduce((n, s) => n + (s.values[i] ?? 0), 0),
  );
  const errors = statusSeries.find((s) => s.key === "error")!.values as number[];
  const errorRate: Series[] = [
    {
      key: "error_rate",
      label: "error rate",
      color: STATUS_COLORS.error,
      values: days.map((_, i) => (finished[i] ? (100 * errors[i]) / finished[i] : null)),
    },
  ];
  const totalFinished = finished.reduce((a, b) => a + b, 0);
  const totalErrors = errors.reduce((a, b) => a + b, 0);

  const agentIds = [...new Set(agentDays.map((a) => a.agentId))];
  const perAgent = (pick: (a: (typeof agentDays)[number]) => number | null): Series[] =>
    agentIds.map((id) => {
      const name = id === null ? "(deleted agent)" : (names.get(id) ?? `#${id}`);
      const values: Array<number | null> = days.map(() => null);
      for (const a of agentDays) if (a.agentId === id && index.has(a.day)) values[index.get(a.day)!] = pick(a);
      return { key: String(id), label: name, ...agentSeriesColor(name), values };
    });
  const latency = perAgent((a) => (a.avgLatencyMs === null ? null : Math.round(a.avgLatencyMs)));
  const tokens = perAgent((a) => a.tokens);
  const tokenBars: Series[] = tokens.map((s) => ({ ...s, values: s.values.map((v) => v ?? 0) }));

  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle={`The last ${range} days, by UTC day.`}
        actions={
          <nav aria-label="Range" className="flex gap-1 rounded-control border border-line bg-surface p-1 shadow-soft">
            {RANGES.map((r) => (
              <Link
                key={r}
                href={`/admin?days=${r}`}
                data-testid={`range-${r}`}
                aria-current={r === range ? "true" : undefined}
                className={`rounded-[8px] px-2.5 py-1 text-sm font-medium ${r === range ? "bg-primary text-on-primary" : "text-ink-soft hover:bg-subtle"}`}
              >
                {r} d
              </Link>
            ))}
          </nav>
        }
      />
      <div className="mb-5 grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-6">
        <Stat label="Sessions" value={totals.sessions.toLocaleString("en-US")} href="/admin/sessions" />
        <Stat label="Messages" value={totals.messages.toLocaleString("en-US")} href="/admin/messages" />
        <Stat label="Runs" value={totals.runs.toLocaleString("en-US")} href="/admin/runs" />
        <Stat
          label="Running now"
          value={String(totals.running)}
          href="/admin/runs?status=running"
          tone={totals.running ? "amber" : undefined}
        />
        <Stat
          label="Error rate"
          value={totalFinished ? `${((100 * totalErrors) / totalFinished).toFixed(1)}%` : "—"}
          href="/admin/runs?status=error"
          tone={totalErrors ? "red" : undefined}
        />
        <Stat label="Agents" value={String(totals.agents)} href="/admin/agents" />
      </div>
      <div className="grid grid-cols-1 gap-5 xl:grid-cols-2">
        <Card title="Runs per day, by status" testId="chart-runs">
          <StackedBars days={days} series={statusSeries} label="Runs per day" testId="runs-chart" />
        </Card>
        <Card title="Error rate (errors ÷ finished runs)" testId="chart-errors">
          <LineChart
            days={days}
            series={errorRate}
            label="Error rate per day"
            unit="%"
            maxValue={100}
            testId="error-chart"
          />
        </Card>
        <Card title="Mean turn latency per agent" testId="chart-latency">
          {latency.length ? (
            <LineChart days={days} series={latency} label="Latency per agent" unit=" ms" testId="latency-chart" />
          ) : (
            <p className="text-sm text-muted">No agent messages in this range.</p>
          )}
        </Card>
        <Card title="Tokens per agent (prompt + completion)" testId="chart-tokens">
          {tokenBars.length ? (
            <StackedBars days={days} series={tokenBars} label="Tokens per agent per day" testId="tokens-chart" />
          ) : (
            <p className="text-sm text-muted">No agent messages in this range.</p>
          )}
        </Card>
        <Card title="Processes: review rounds and consultations" testId="chart-processes">
          <ProcessTable stats={processes} />
        </Card>
        <Card title="Ratings per agent (thumbs up / down)" testId="chart-ratings">
          {ratings.length ? (
            <table className="w-full text-sm" data-testid="ratings-table">
              <thead>
                <tr className="text-left text-xs uppercase tracking-wide text-muted">
                  <th scope="col" className="pb-2 font-medium">
                    Agent
                  </th>
                  <th scope="col" className="pb-2 text-right font-medium">
                    Up
                  </th>
                  <th scope="col" className="pb-2 text-right font-medium">
                    Down
                  </th>
                </tr>
              </thead>
              <tbody>
                {ratings.map((r) => {
                  const name = r.agentId === null ? "(deleted agent)" : (names.get(r.agentId) ?? `#${r.agentId}`);
                  return (
                    <tr
                      key={String(r.agentId)}
                      data-testid="ratings-row"
                      data-agent={name}
                      className="border-t border-line"
                    >
                      <th scope="row" className="py-1.5 text-left font-medium text-ink">
                        {name}
                      </th>
                      <td className="py-1.5 text-right tabular-nums" data-testid="ratings-up">
                        {r.up}
                      </td>
                      <td className="py-1.5 text-right tabular-nums" data-testid="ratings-down">
                        {r.down}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : (
            <p className="text-sm text-muted">No ratings in this range.</p>
          )}
        </Card>
      </div>
    </>
  );
}

const per = (tokens: number, n: number) => (n ? Math.round(tokens / n).toLocaleString("en-US") : "—");

/** Review and consult runs: how they ended, and the tokens a round and a question cost on average. */
function ProcessTable({ stats }: { stats: ProcessStats[] }) {
  if (!stats.length) return <p className="text-sm text-muted">No review or consult runs in this range.</p>;
  const th = "pb-2 text-right font-medium";
  return (
    <table className="w-full text-sm" data-testid="process-table">
      <thead>
        <tr className="text-left text-xs uppercase tracking-wide text-muted">
          <th scope="col" className="pb-2 font-medium">
            Process
          </th>
          <th scope="col" className={th}>
            Runs
          </th>
          <th scope="col" className="pb-2 pl-3 font-medium">
            Outcomes
          </th>
          <th scope="col" className={th}>
            Rounds
          </th>
          <th scope="col" className={th}>
            Tokens / round
          </th>
          <th scope="col" className={th}>
            Questions
          </th>
          <th scope="col" className={th}>
            Tokens / question
          </th>
        </tr>
      </thead>
      <tbody>
        {stats.map((s) => (
          <tr key={s.process} data-testid="process-row" data-process={s.process} className="border-t border-line">
            <th scope="row" className="py-1.5 text-left font-medium text-ink">
              {s.process}
            </th>
            <td className="py-1.5 text-right tabular-nums">{s.runs}</td>
            <td className="py-1.5 pl-3 text-ink-soft">
              {Object.entries(s.outcomes)
                .map(([o, n]) => `${o.replace(/_/g, " ")} ${n}`)
                .join(", ")}
            </td>
            <td className="py-1.5 text-right tabular-nums">{s.rounds}</td>
            <td className="py-1.5 text-right tabular-nums">{per(s.roundTokens, s.rounds)}</td>
            <td className="py-1.5 text-right tabular-nums">{s.consultations}</td>
            <td className="py-1.5 text-right tabular-nums">{per(s.consultationTokens, s.consultations)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

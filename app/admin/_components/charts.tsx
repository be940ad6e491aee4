/**
 * Hand-rolled SVG charts (server-rendered, no library): stacked bars and lines over days.
 * Each is an image with a text summary for screen readers, a legend, and per-point tooltips.
 */

export interface Series {
  key: string;
  label: string;
  color: string;
  values: Array<number | null>;
}

const W = 640;
const H = 220;
const PAD = { top: 12, right: 12, bottom: 26, left: 44 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  const f = v / exp;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp;
}

const fmt = (v: number) =>
  v >= 10_000
    ? `${Math.round(v / 1000)}k`
    : v >= 1000
      ? `${(v / 1000).toFixed(1)}k`
      : Number.isInteger(v)
        ? String(v)
        : v.toFixed(1);
const shortDay = (day: string) => day.slice(5).replace("-", "/");

function Axes({ days, max, unit }: { days: string[]; max: number; unit?: string }) {
  const innerH = H - PAD.top - PAD.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const step = Math.max(1, Math.ceil(days.length / 8));
  const bw = (W - PAD.left - PAD.right) / Math.max(1, days.length);
  return (
    <g fontSize="10" fill="var(--color-muted)">
      {ticks.map((t) => {
        const y = PAD.top + innerH * (1 - t);
        return (
          <g key={t}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y}
              y2={y}
              stroke="var(--color-line)"
              strokeDasharray={t === 0 ? undefined : "3 3"}
            />
            <text x={PAD.left - 6} y={y + 3} textAnchor="end">
              {fmt(max * t)}
              {t === 1 && unit ? unit : ""}
            </text>
          </g>
        );
      })}
      {days.map((d, i) =>
        i % step === 0 ? (
          <text key={d} x={PAD.left + bw * i + bw / 2} y={H - 8} textAnchor="middle">
            {shortDay(d)}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-ink-soft" aria-hidden>
      {series.map((s) => (
        <li key={s.key} className="inline-flex items-center gap-1.5">
          <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: s.color }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

export function StackedBars(props: {
  days: string[];
  series: Series[];
  label: string;
  testId?: string;
  unit?: string;
}) {
  const totals = props.days.map((_, i) => props.series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const innerH = H - PAD.top - PAD.bottom;
  const bw = (W - PAD.left - PAD.right) / Math.max(1, props.days.length);
  const summary = `${props.label}: ${totals.reduce((a, b) => a + b, 0)} in ${props.days.length} days; busiest day ${Math.max(0, ...totals)}.`;
  return (
    <figure data-testid={props.testId} data-total={totals.reduce((a, b) => a + b, 0)}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} className="h-auto w-full">
        <Axes days={props.days} max={max} unit={props.unit} />
        {props.days.map((day, i) => {
          let y = PAD.top + innerH;
          return (
            <g key={day} data-testid="chart-bar" data-day={day} data-value={totals[i]}>
              {props.series.map((s) => {
                const v = s.values[i] ?? 0;
                if (v <= 0) return null;
                const h = (v / max) * innerH;
                y -= h;
                return (
                  <rect
                    key={s.key}
                    x={PAD.left + bw * i + bw * 0.18}
                    width={bw * 0.64}
                    y={y}
                    height={Math.max(1, h)}
                    rx={Math.min(3, bw * 0.1)}
                    fill={s.color}
                  >
                    <title>{`${day} · ${s.label}: ${v}`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
      </svg>
      <Legend series={props.series} />
    </figure>
  );
}

export function LineChart(props: {
  days: string[];
  series: Series[];
  label: string;
  testId?: string;
  unit?: string;
  maxValue?: number;
}) {
  const all = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = props.maxValue ?? niceMax(Math.max(0, ...all));
  const innerH = H - PAD.top - PAD.bottom;
  const bw = (W - PAD.left - PAD.right) / Math.max(1, props.days.length);
  const x = (i: number) => PAD.left + bw * i + bw / 2;
  const y = (v: number) => PAD.top + innerH * (1 - v / max);
  const summary = `${props.label}: ${props.series.map((s) => s.label).join(", ") || "no data"} over ${props.days.length} days.`;
  return (
    <figure data-testid={props.testId} data-points={all.length}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} className="h-auto w-full">
        <Axes days={props.days} max={max} unit={props.unit} />
        {props.series.map((s) => {
          // Gaps (days without data) break the line.
          const segments: string[] = [];
          let current = "";
          s.values.forEach((v, i) => {
            if (v === null) {
              if (current) segments.push(current);
              current = "";
            } else current += `${current ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
          });
          if (current) segments.push(current);
          return (
            <g key={s.key} data-testid="chart-line" data-series={s.key}>
              {segments.map((d, i) => (
                <path
                  // biome-ignore lint/suspicious/noArrayIndexKey: segments of one line between gaps, in x order; the position is the identity.
                  key={i}
                  d={d}
                  fill="none"
                  stroke={s.color}
                  strokeWidth="2.2"
                  strokeLinejoin="round"
                  strokeLinecap="round"
                />
              ))}
              {s.values.map((v, i) =>
                v === null ? null : (
                  <circle
                    // biome-ignore lint/suspicious/noArrayIndexKey: one point per x tick; the index is the x position.
                    key={i}
                    cx={x(i)}
                    cy={y(v)}
                    r="3.2"
                    fill="var(--color-surface)"
                    stroke={s.color}
                    strokeWidth="2"
                  >
                    <title>{`${props.days[i]} · ${s.label}: ${fmt(v)}${props.unit ?? ""}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <Legend series={props.series} />
    </figure>
  );
}

export const STATUS_COLORS = {
  success: "#10b981",
  error: "#ef4444",
  cancelled: "#f59e0b",
  running: "#2563eb",
} as const;

const AGENT_COLORS = ["#2563eb", "#f59e0b", "#14b8a6", "#7c3aed", "#e11d48", "#10b981", "#4f46e5", "#f97316"];

/** The chat UI's tones: researcher amber, writer blue, others by position. */
export function agentColor(name: string, index: number): string {
  if (name === "researcher") return "#f59e0b";
  if (name === "writer") return "#2563eb";
  return AGENT_COLORS[(index + 2) % AGENT_COLORS.length];
}

/**
 * SVG charts, server-rendered: stacked bars and lines over days, scaled by d3-scale. Each is an
 * image with a text summary for screen readers, a legend, and per-point tooltips. A series
 * drawn in an agent's colour carries its tone class (the chat UI's, from globals.css) and
 * `var(--tone)` as its colour, so an agent has one colour everywhere.
 */
import { type ScaleLinear, scaleLinear } from "d3-scale";
import { agentTone } from "@/lib/client/agents";

export interface Series {
  key: string;
  label: string;
  color: string;
  /** A class that defines the colour's variable (an agent's tone). */
  className?: string;
  values: Array<number | null>;
}

const W = 640;
const H = 220;
const PAD = { top: 12, right: 12, bottom: 30, left: 52 };
/** Axis text in viewBox units: the chart is drawn about 0.8× its viewBox wide, so this reads as ~11 px. */
const AXIS_FONT = 13;

/** The value axis: d3's round ticks ("nice" bounds, steps of 1, 2 or 5 × 10ⁿ). */
function valueScale(dataMax: number, fixedMax?: number) {
  const scale = scaleLinear()
    .domain([0, fixedMax ?? Math.max(1, dataMax)])
    .range([H - PAD.bottom, PAD.top]);
  if (fixedMax === undefined) scale.nice(4);
  return scale;
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const fmt = (v: number) => compact.format(v);
const shortDay = (day: string) => day.slice(5).replace("-", "/");

function Axes({ days, y, unit }: { days: string[]; y: ScaleLinear<number, number>; unit?: string }) {
  const ticks = y.ticks(4);
  const step = Math.max(1, Math.ceil(days.length / 7));
  const bw = (W - PAD.left - PAD.right) / Math.max(1, days.length);
  return (
    <g fontSize={AXIS_FONT} fill="var(--color-muted)">
      {ticks.map((t, i) => (
        <g key={t}>
          <line
            x1={PAD.left}
            x2={W - PAD.right}
            y1={y(t)}
            y2={y(t)}
            stroke="var(--color-line)"
            strokeDasharray={t === 0 ? undefined : "3 3"}
          />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
            {fmt(t)}
            {i === ticks.length - 1 && unit ? unit : ""}
          </text>
        </g>
      ))}
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
        <li key={s.key} className={`inline-flex items-center gap-1.5 ${s.className ?? ""}`}>
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
  const y = valueScale(Math.max(0, ...totals));
  const bw = (W - PAD.left - PAD.right) / Math.max(1, props.days.length);
  const summary = `${props.label}: ${totals.reduce((a, b) => a + b, 0)} in ${props.days.length} days; busiest day ${Math.max(0, ...totals)}.`;
  return (
    <figure data-testid={props.testId} data-total={totals.reduce((a, b) => a + b, 0)}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} className="h-auto w-full">
        <Axes days={props.days} y={y} unit={props.unit} />
        {props.days.map((day, i) => {
          let top = 0;
          return (
            <g key={day} data-testid="chart-bar" data-day={day} data-value={totals[i]}>
              {props.series.map((s) => {
                const v = s.values[i] ?? 0;
                if (v <= 0) return null;
                const bottom = top;
                top += v;
                return (
                  <rect
                    key={s.key}
                    className={s.className}
                    x={PAD.left + bw * i + bw * 0.18}
                    width={bw * 0.64}
                    y={y(top)}
                    height={Math.max(1, y(bottom) - y(top))}
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
  const y = valueScale(Math.max(0, ...all), props.maxValue);
  const bw = (W - PAD.left - PAD.right) / Math.max(1, props.days.length);
  const x = (i: number) => PAD.left + bw * i + bw / 2;
  const summary = `${props.label}: ${props.series.map((s) => s.label).join(", ") || "no data"} over ${props.days.length} days.`;
  return (
    <figure data-testid={props.testId} data-points={all.length}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} className="h-auto w-full">
        <Axes days={props.days} y={y} unit={props.unit} />
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
            <g key={s.key} data-testid="chart-line" data-series={s.key} className={s.className}>
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

/** An agent's colour: its tone in the chat UI, for the same name on every page. */
export function agentSeriesColor(name: string): Pick<Series, "color" | "className"> {
  return { color: "var(--tone)", className: `tone-${agentTone(name)}` };
}

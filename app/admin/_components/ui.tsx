/** Presentational pieces of the admin pages (server components; Ocean Professional tokens). */
import Link from "next/link";
import type { ReactNode } from "react";

export function PageHeader(props: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
  back?: { href: string; label: string };
}) {
  return (
    <div className="mb-5 flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0">
        {props.back && (
          <Link href={props.back.href} className="mb-1 inline-block text-sm text-primary-ink hover:underline">
            ← {props.back.label}
          </Link>
        )}
        <h1 data-testid="admin-page-title" className="truncate text-2xl font-semibold tracking-tight text-ink">
          {props.title}
        </h1>
        {props.subtitle && <p className="mt-1 text-sm text-muted">{props.subtitle}</p>}
      </div>
      {props.actions && <div className="flex flex-wrap gap-2">{props.actions}</div>}
    </div>
  );
}

const SIDE_COLUMN = {
  "20rem": "lg:grid-cols-[minmax(0,1fr)_20rem]",
  "22rem": "lg:grid-cols-[minmax(0,1fr)_22rem]",
} as const;

/**
 * A detail page's columns: the main one, and from lg on a side column of the given width. The
 * main column never grows past the screen: a wide table in it scrolls in its own box.
 */
export function DetailColumns(props: { side: keyof typeof SIDE_COLUMN; children: ReactNode }) {
  return <div className={`grid grid-cols-1 gap-5 ${SIDE_COLUMN[props.side]}`}>{props.children}</div>;
}

export function Card(props: {
  title?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
  actions?: ReactNode;
}) {
  return (
    <section
      data-testid={props.testId}
      className={`rounded-card border border-line bg-surface shadow-card ${props.className ?? ""}`}
    >
      {(props.title || props.actions) && (
        <div className="flex items-center justify-between gap-2 border-b border-line px-4 py-3">
          <h2 className="text-sm font-semibold text-ink">{props.title}</h2>
          {props.actions}
        </div>
      )}
      <div className="p-4">{props.children}</div>
    </section>
  );
}

export const buttonClass = {
  primary:
    "inline-flex h-9 items-center justify-center gap-1.5 rounded-control bg-primary px-3.5 text-sm font-medium text-on-primary shadow-soft hover:bg-primary-hover disabled:opacity-60",
  secondary:
    "inline-flex h-9 items-center justify-center gap-1.5 rounded-control border border-line bg-surface px-3.5 text-sm font-medium text-ink hover:bg-subtle disabled:opacity-60",
  danger:
    "inline-flex h-9 items-center justify-center gap-1.5 rounded-control bg-danger-solid px-3.5 text-sm font-medium text-white shadow-soft hover:brightness-110 disabled:opacity-60",
  amber:
    "inline-flex h-9 items-center justify-center gap-1.5 rounded-control bg-secondary px-3.5 text-sm font-medium text-on-secondary shadow-soft hover:bg-secondary-hover",
};

export const inputClass =
  "block w-full rounded-control border border-line-strong bg-surface px-3 py-2 text-sm text-ink shadow-soft placeholder:text-muted focus:border-primary focus:outline-none focus:ring-2 focus:ring-primary-ring aria-[invalid=true]:border-danger";

export function ButtonLink(props: {
  href: string;
  children: ReactNode;
  kind?: keyof typeof buttonClass;
  testId?: string;
}) {
  return (
    <Link href={props.href} data-testid={props.testId} className={buttonClass[props.kind ?? "primary"]}>
      {props.children}
    </Link>
  );
}

const tones = {
  blue: "bg-primary-soft text-primary-ink",
  amber: "bg-secondary-soft text-secondary-ink",
  green: "bg-success-soft text-success-ink",
  red: "bg-danger-soft text-danger-ink",
  gray: "bg-subtle text-ink-soft",
};

export function Badge(props: { tone?: keyof typeof tones; children: ReactNode; testId?: string }) {
  return (
    <span
      data-testid={props.testId}
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${tones[props.tone ?? "gray"]}`}
    >
      {props.children}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const tone = status === "success" ? "green" : status === "error" ? "red" : status === "running" ? "blue" : "amber";
  return (
    <Badge tone={tone} testId="status-badge">
      {status}
    </Badge>
  );
}

export function ActiveBadge({ active }: { active: boolean }) {
  return <Badge tone={active ? "green" : "gray"}>{active ? "active" : "inactive"}</Badge>;
}

/** A table that scrolls sideways on small screens. */
export function Table(props: {
  head: ReactNode[];
  children: ReactNode;
  testId?: string;
  empty?: boolean;
  emptyText?: string;
}) {
  return (
    <div className="overflow-x-auto rounded-card border border-line bg-surface shadow-card">
      <table data-testid={props.testId} className="w-full min-w-[40rem] border-collapse text-left text-sm">
        <thead className="bg-subtle text-xs uppercase tracking-wide text-muted">
          <tr>
            {props.head.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fixed column headers (ReactNode, may be empty); the column position is the identity.
              <th key={i} scope="col" className="px-4 py-2.5 font-semibold">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">{props.children}</tbody>
      </table>
      {props.empty && (
        <p data-testid="empty-list" className="px-4 py-10 text-center text-sm text-muted">
          {props.emptyText ?? "Nothing matches."}
        </p>
      )}
    </div>
  );
}

export const td = "px-4 py-2.5 align-top text-ink-soft";

/** Page links for a list: keeps the current filters, changes `page`. */
export function Pagination(props: {
  basePath: string;
  params: Record<string, string | undefined>;
  page: number;
  perPage: number;
  total: number;
}) {
  const pages = Math.max(1, Math.ceil(props.total / props.perPage));
  const href = (page: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(props.params)) if (v) q.set(k, v);
    if (page > 1) q.set("page", String(page));
    const s = q.toString();
    return s ? `${props.basePath}?${s}` : props.basePath;
  };
  const first = props.total === 0 ? 0 : (props.page - 1) * props.perPage + 1;
  const last = Math.min(props.total, props.page * props.perPage);
  return (
    <nav
      aria-label="Pages"
      className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-muted"
      data-testid="pagination"
    >
      <span data-testid="pagination-summary">
        {first}–{last} of {props.total.toLocaleString("en-US")}
      </span>
      <span className="flex items-center gap-2">
        {props.page > 1 ? (
          <Link href={href(props.page - 1)} className={buttonClass.secondary} data-testid="page-prev" rel="prev">
            ← Previous
          </Link>
        ) : null}
        <span>
          Page {props.page} of {pages}
        </span>
        {props.page < pages ? (
          <Link href={href(props.page + 1)} className={buttonClass.secondary} data-testid="page-next" rel="next">
            Next →
          </Link>
        ) : null}
      </span>
    </nav>
  );
}

/**
 * One filter of a {@link FilterBar}, named as its query parameter: a text field, or with
 * `options` (value, label) a choice whose first option, "All", filters nothing.
 */
export interface Filter {
  name: string;
  label: string;
  value?: string;
  options?: Array<[string, string]>;
  /** A search field, which takes the bar's free width. */
  search?: boolean;
}

/** The choice every catalogue offers for its `active` filter. */
export const activeOptions: Array<[string, string]> = [
  ["yes", "Active"],
  ["no", "Inactive"],
];

/**
 * A GET form of filters: works without JavaScript, and the URL is shareable. Each field's id is
 * the page's and the filter's names (`runs-status` on /admin/runs), its test id `filter-<name>`.
 */
export function FilterBar(props: { action: string; filters: Filter[] }) {
  const page = props.action.split("/").pop();
  return (
    // biome-ignore lint/a11y/useSemanticElements: role="search" on the form keeps one element for the flex layout and data-testid; <search> would need a wrapper element around the form.
    <form
      action={props.action}
      method="get"
      role="search"
      data-testid="filter-bar"
      className="mb-4 flex flex-wrap items-end gap-3 rounded-card border border-line bg-surface p-3 shadow-soft"
    >
      {props.filters.map((filter) => {
        const id = `${page}-${filter.name}`;
        return (
          <label
            key={filter.name}
            htmlFor={id}
            className={`flex flex-col gap-1 text-xs font-medium text-muted ${filter.search ? "min-w-[12rem] flex-1" : ""}`}
          >
            {filter.label}
            {filter.options ? (
              <select
                id={id}
                name={filter.name}
                defaultValue={filter.value ?? ""}
                data-testid={`filter-${filter.name}`}
                className={`${inputClass} w-auto min-w-[9rem]`}
              >
                {[["", "All"], ...filter.options].map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                name={filter.name}
                type={filter.search ? "search" : "text"}
                defaultValue={filter.value}
                data-testid={`filter-${filter.name}`}
                className={filter.search ? inputClass : `${inputClass} w-48`}
              />
            )}
          </label>
        );
      })}
      <button type="submit" className={buttonClass.primary} data-testid="filter-submit">
        Apply
      </button>
      <Link href={props.action} className="self-center text-sm text-primary-ink hover:underline">
        Reset
      </Link>
    </form>
  );
}

export function Json({ value, testId }: { value: unknown; testId?: string }) {
  if (value === null || value === undefined) return <span className="text-muted">—</span>;
  return (
    <pre
      data-testid={testId}
      className="max-h-96 overflow-auto rounded-control border border-line bg-code p-3 font-mono text-xs leading-relaxed text-ink"
    >
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function Dl({ items }: { items: Array<[string, ReactNode]> }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="font-medium text-muted">{k}</dt>
          <dd
            className="min-w-0 break-words text-ink"
            data-testid={`field-${k.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`}
          >
            {v}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export const when = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 19)} UTC`;

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p
      role="status"
      data-testid="admin-notice"
      className="mb-4 rounded-control border border-success bg-success-soft px-3 py-2 text-sm text-success-ink"
    >
      {children}
    </p>
  );
}

/** Reading list filters from the URL: unknown or malformed values count as absent. */
export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export const PER_PAGE = 25;

export function param(
  params: Record<string, string | string[] | undefined>,
  key: string,
  max = 200,
): string | undefined {
  const v = params[key];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s ? s.slice(0, max) : undefined;
}

export function pageOf(params: Record<string, string | string[] | undefined>): {
  page: number;
  limit: number;
  offset: number;
} {
  const n = Number(param(params, "page"));
  const page = Number.isSafeInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
  return { page, limit: PER_PAGE, offset: (page - 1) * PER_PAGE };
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.includes(value as T) ? (value as T) : undefined;
}

export function activeFilter(value: string | undefined): boolean | undefined {
  return value === "yes" ? true : value === "no" ? false : undefined;
}

/** A positive integer id from a route segment, or null. */
export function idOf(raw: string): number | null {
  return /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
}

/** The page's path with its query, for the login page's `?next=`. */
export function withQuery(path: string, params: Record<string, string | string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) q.append(k, one);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

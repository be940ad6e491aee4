/**
 * Exponential backoff with "equal jitter": half of the exponential delay is kept, the other
 * half is random, so reconnecting clients spread out but never retry immediately in a loop.
 * attempt 0 → 0.25–0.5 s, 1 → 0.5–1 s, 2 → 1–2 s, … capped at `capMs` (default 10 s).
 */
export function backoffDelay(
  attempt: number,
  opts: { baseMs?: number; capMs?: number; random?: () => number } = {},
): number {
  const base = opts.baseMs ?? 500;
  const cap = opts.capMs ?? 10_000;
  const random = opts.random ?? Math.random;
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt));
  return Math.round(exp / 2 + random() * (exp / 2));
}

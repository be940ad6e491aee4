/**
 * Send rate limit (TANDEM_SEND_RATE, e.g. "30/min"): a token bucket per API key, or per client
 * address for requests without a valid key. Buckets live in this process's memory, so each
 * instance counts on its own (N instances behind a balancer allow up to N times the rate).
 */

export interface Rate {
  count: number;
  periodMs: number;
}

const UNITS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/** "30/min" → {count: 30, periodMs: 60000}; undefined or a zero count → no limit. */
export function parseRate(spec: string | undefined): Rate | null {
  if (!spec) return null;
  const match = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/i.exec(spec);
  const periodMs = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || !periodMs) throw new Error(`Invalid rate "${spec}"; use e.g. "30/min".`);
  const count = Number(match[1]);
  return count > 0 ? { count, periodMs } : null;
}

interface Bucket {
  tokens: number;
  at: number;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** At most this many clients are tracked; the least recently seen are forgotten first. */
const MAX_BUCKETS = 50_000;

export function rateLimiter(rate: Rate | null, now: () => number = Date.now) {
  const buckets = new Map<string, Bucket>();
  const perMs = rate ? rate.count / rate.periodMs : 0;

  return {
    /** Takes one token from the client's bucket (a full bucket holds `count` tokens). */
    take(client: string): Verdict {
      if (!rate) return { ok: true };
      const t = now();
      const bucket = buckets.get(client) ?? { tokens: rate.count, at: t };
      buckets.delete(client); // re-inserted below: the Map stays ordered by last use
      bucket.tokens = Math.min(rate.count, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      let verdict: Verdict;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        verdict = { ok: true };
      } else {
        verdict = { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
      }
      buckets.set(client, bucket);
      if (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
      return verdict;
    },
    size: () => buckets.size,
  };
}

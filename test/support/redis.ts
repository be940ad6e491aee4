/**
 * Redis for tests.
 *
 * - TEST_REDIS_URL: the shared server (TANDEM_TEST_REDIS_URL, default redis://127.0.0.1:6379).
 * - redisReachable(url): PING answered within 2 s.
 * - freshRedisPrefix(label): a unique key prefix (TANDEM_REDIS_PREFIX) so that tests and
 *   parallel runs never share keys; cleanup(url, prefix) deletes that prefix's keys.
 * - startRedisServer(): a private `redis-server` child on a free port (no persistence) that a
 *   test may kill and start again to simulate an outage; null when the binary is missing.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect } from "node:net";
import { Redis } from "ioredis";
import { freePort } from "./server";

export const TEST_REDIS_URL = process.env.TANDEM_TEST_REDIS_URL || "redis://127.0.0.1:6379";

export async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

export function freshRedisPrefix(label = "test"): string {
  return `tandem-test:${label.replace(/[^a-z0-9]+/gi, "-")}:${randomBytes(4).toString("hex")}:`;
}

/** Deletes every key under `prefix` (best effort). */
export async function cleanupRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== "0");
  } catch {
    // the server is gone; nothing to clean
  } finally {
    redis.disconnect();
  }
}

export interface RedisServer {
  url: string;
  port: number;
  /** SIGKILL: Redis goes away at once (its data with it). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function startRedisServer(): Promise<RedisServer | null> {
  if (!redisServerAvailable()) return null;
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    const deadline = Date.now() + 10_000;
    while (!(await redisReachable(url))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error("redis-server did not answer within 10 s");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, "exit");
    c.kill("SIGKILL");
    await exited;
  };
  process.once("exit", () => (child as ChildProcess | null)?.kill("SIGKILL"));
  await launch();
  return { url, port, kill, restart: launch };
}

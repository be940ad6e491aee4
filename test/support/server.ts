/**
 * Starts a real Tandem server (the production build, as `npm start` runs it: `node <dist>/server.mjs`)
 * on a free port with its own database, for API, WebSocket and browser tests. scripts/test.ts
 * builds the app once into NEXT_DIST_DIR (default .next-test) before the tests run.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { eventually } from "./api";
import { freshSqliteUrl } from "./databases";

export const TEST_DIST_DIR = process.env.NEXT_DIST_DIR || ".next-test";

/**
 * The compiled server of the build; a build made with plain `next build` (no server bundle,
 * `next build` empties the folder) runs server.ts through tsx instead.
 */
export function serverCommand(distDir = TEST_DIST_DIR): string[] {
  const bundle = path.join(distDir, "server.mjs");
  return existsSync(bundle) ? [bundle] : ["--import", "tsx", "server.ts"];
}

export interface TandemServer {
  url: string;
  wsUrl: string;
  port: number;
  databaseUrl: string;
  process: ChildProcess;
  /** Everything the server printed, for assertions and for failing tests' messages. */
  output(): string;
  /**
   * The first JSON log line that matches, waiting for it: the log reaches this process through a
   * pipe, in no fixed order with the answers to its requests. Fails with the output after 10 s.
   */
  logEntry(match: (entry: LogEntry) => boolean): Promise<LogEntry>;
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

/** A log line carries whatever its caller logged. */
export type LogEntry = Record<string, any>;

function logEntries(output: string): LogEntry[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return []; // a line still being written
      }
    });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * What `npm start` gives the server beyond NODE_ENV (package.json's start script; test/start.test.ts
 * holds the two together): a young generation capped at 16 MB (see docs/operations.md, Runtime)
 * and two malloc arenas instead of one per thread (about 20 MB less RSS).
 */
export const START_NODE_ARGS = ["--max-semi-space-size=16"];
export const START_ENV = { MALLOC_ARENA_MAX: "2" };

export async function startServer(
  options: { databaseUrl?: string; env?: Record<string, string>; port?: number; nodeArgs?: string[] } = {},
): Promise<TandemServer> {
  const port = options.port ?? (await freePort());
  const databaseUrl = options.databaseUrl ?? (await freshSqliteUrl("server"));
  // As `npm start` starts it; options.nodeArgs come after, so they can override it.
  const nodeArgs = [...START_NODE_ARGS, ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, ...serverCommand()], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      ...START_ENV,
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: TEST_DIST_DIR,
      HOSTNAME: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
      TANDEM_OFFLINE_DELAY_MS: "0",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`Tandem exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Tandem did not become ready within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    databaseUrl,
    process: child,
    output: () => output,
    async logEntry(match) {
      const entry = await eventually(async () => logEntries(output).find(match)).catch(() => undefined);
      return entry ?? assert.fail(`no matching log line in:\n${output.slice(-4000)}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

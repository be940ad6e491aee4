/**
 * Tandem's server: Next (pages and the REST API's route handlers) and the chat WebSocket on one
 * HTTP server. At start it migrates and seeds the database and recovers interrupted runs; on
 * SIGTERM/SIGINT it stops accepting, lets running runs finish (or fails them cleanly), then closes
 * sockets and the database.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import type { Duplex } from "node:stream";
import next from "next";
import { WebSocketServer } from "ws";
import { socketRefusal } from "./lib/accounts/socket";
import { bootstrapAdminFromEnv } from "./lib/admin/auth";
import { seedDefaults } from "./lib/agents/seed";
import { collapseSlashes, createEdge } from "./lib/api/edge";
import { dbReady, disconnectDb } from "./lib/db/connection";
import { deployMigrations } from "./lib/db/migrate";
import { env } from "./lib/env";
import { log } from "./lib/log";
import { limitHeapGrowth, releaseMemoryWhenIdle } from "./lib/ops/heap";
import { attachChatSocket, chatSessionId } from "./lib/realtime/socket";
import { startRealtime, stopRealtime } from "./lib/realtime/transport";
import { liveRunCount, shutdownRuns, startRunMaintenance } from "./lib/runs/index";

// An older Node would crash later, with a segmentation fault inside the SQLite driver
// (better-sqlite3 13 needs Node 22+). `npm start` runs the Node 24 that `npm install` put in
// node_modules (the `node` package), whatever the machine's own Node is.
if (Number(process.versions.node.split(".")[0]) < 24) {
  console.error(`Tandem runs on Node 24 or newer (package.json "engines"); this is Node ${process.version}.`);
  console.error("Start it with `npm start`, which uses the Node 24 that `npm install` installed.");
  process.exit(1);
}

const heapGrowth = limitHeapGrowth();
const dev = env.NODE_ENV !== "production";

/**
 * An upgrading socket's error listener. Not a closure over the upgrade's request: it lives as
 * long as the socket, and a closure would keep the request, its headers and URL with it (about
 * 4 KiB a connection, measured).
 */
function destroySocket(this: Duplex) {
  this.destroy();
}

/** Whether only this machine can reach an address. */
const isLoopback = (host: string) => /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);
const megabytes = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * A production start reads the configuration the build resolved (as Next's own standalone server
 * does) instead of compiling next.config.ts again, which would load Next's SWC compiler and keep
 * about 30 MB of it for the life of the process.
 */
function applyBuiltConfig() {
  if (dev || process.env.__NEXT_PRIVATE_STANDALONE_CONFIG) return;
  const file = path.join(process.env.NEXT_DIST_DIR || ".next", "required-server-files.json");
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(JSON.parse(readFileSync(file, "utf8")).config);
}

/** Instances starting together race for the migration lock; the losers retry. */
async function migrate(attempts = 5): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deployMigrations(env.DATABASE_URL);
    } catch (err) {
      if (attempt >= attempts) throw err;
      log.warn({ err: err instanceof Error ? err.message.slice(0, 200) : err, attempt }, "migration failed; retrying");
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

async function main() {
  const applied = await migrate();
  if (applied.length) log.info({ applied }, "applied migrations");
  await dbReady();
  await seedDefaults();
  await bootstrapAdminFromEnv(); // ADMIN_USERNAME/ADMIN_PASSWORD, when set
  // Before anything publishes (recovery announces interrupted runs).
  const events = await startRealtime();
  await startRunMaintenance();

  applyBuiltConfig();
  const app = next({ dev, hostname: env.HOSTNAME, port: env.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();

  // Request id, security headers, CORS, API keys and the send rate limit (lib/api/edge.ts).
  const edge = createEdge({
    corsOrigins: env.TANDEM_CORS_ORIGINS,
    apiKeys: env.TANDEM_API_KEYS,
    sendRate: env.TANDEM_SEND_RATE,
    trustProxy: env.TANDEM_TRUST_PROXY,
    authorizeSocket: env.TANDEM_AUTH === "accounts" ? socketRefusal : undefined,
    log,
  });
  const server = createServer((req, res) => {
    if (edge.http(req, res)) return;
    edge.forward(req, res, (checked) => void handle(checked, res));
  });
  server.on("clientError", edge.clientError);

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on("upgrade", (req, socket, head) => {
    // A client resetting mid-handshake must not become an unhandled 'error' event.
    socket.on("error", destroySocket);
    let url: URL;
    try {
      req.url = collapseSlashes(req.url ?? "/");
      url = new URL(req.url, "http://localhost");
    } catch {
      socket.destroy();
      return;
    }
    const sessionId = chatSessionId(url.pathname);
    if (sessionId !== null) {
      void edge.upgrade(req, socket, url.searchParams, sessionId).then(
        (refused) => {
          if (refused) return;
          wss.handleUpgrade(req, socket, head, (ws) => attachChatSocket(ws, sessionId, url.searchParams));
        },
        () => socket.destroy(),
      );
      return;
    }
    // Next attaches its own upgrade listener for dev reloads (/_next/...); leave those to it.
    if (dev && url.pathname.startsWith("/_next/")) return;
    socket.destroy();
  });

  await new Promise<void>((resolve) => server.listen(env.PORT, env.HOSTNAME, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  log.info(
    {
      url: `http://${env.HOSTNAME}:${port}`,
      dev,
      database: env.DATABASE_URL.split(":")[0],
      events,
      auth: env.TANDEM_AUTH,
      heapGrowth,
      node: process.version,
      nodeFlags: process.execArgv.join(" ") || "none",
    },
    "Tandem is ready",
  );
  releaseMemoryWhenIdle({
    working: () => liveRunCount() > 0,
    onRelease: ({ tookMs, heapBefore, heapAfter, rssBefore, rssAfter, mallocTrimmed }) =>
      log.debug(
        {
          tookMs: Math.round(tookMs),
          heapBeforeMb: megabytes(heapBefore),
          heapAfterMb: megabytes(heapAfter),
          rssBeforeMb: megabytes(rssBefore),
          rssAfterMb: megabytes(rssAfter),
          mallocTrimmed,
        },
        "memory released",
      ),
  });
  if (env.TANDEM_AUTH === "off" && !isLoopback(env.HOSTNAME)) {
    log.warn(
      { hostname: env.HOSTNAME, port },
      `WARNING: TANDEM_AUTH=off and listening on ${env.HOSTNAME}: anyone who can reach port ${port} reads, changes and deletes every conversation. Set TANDEM_AUTH=accounts, or HOSTNAME=127.0.0.1 to stay local.`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, runs: liveRunCount() }, "shutting down");
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await shutdownRuns(env.TANDEM_SHUTDOWN_GRACE_MS);
    for (const ws of wss.clients) ws.close(1001, "server shutting down");
    wss.close();
    server.closeAllConnections();
    await closed;
    await stopRealtime();
    await disconnectDb();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  log.fatal({ err }, "Tandem could not start");
  process.exit(1);
});

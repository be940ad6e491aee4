import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { serverCommand } from "./test/support/server";

/**
 * Browser tests against the production build, started the way the README says (the compiled
 * server with NODE_ENV=production), on its own port and database. Chromium is Debian's (never a download).
 */
const port = Number(process.env.E2E_PORT ?? 3199);
// Set once by the runner, so its workers (which load this file again) know the same database: a
// spec may seed it directly (e2e/sidebar.spec.ts seeds 2,000 chats).
process.env.E2E_DATABASE_URL ??= `file:./test-results/e2e-${Date.now()}.db`;
const distDir = process.env.NEXT_DIST_DIR || ".next-test";
const baseURL = `http://127.0.0.1:${port}`;
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  use: {
    baseURL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: `node ${serverCommand(distDir).join(" ")}`,
    url: `${baseURL}/api/health/`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: {
      NODE_ENV: "production",
      NEXT_DIST_DIR: distDir,
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: process.env.E2E_DATABASE_URL,
      LOG_LEVEL: "warn",
      // Slow enough to watch tokens stream and to press Stop.
      TANDEM_OFFLINE_DELAY_MS: "25",
    },
  },
});

/**
 * `npm test`: builds the app once (into .next-test, leaving a developer's .next alone), runs the
 * node test suites (unit, API contract on both providers, WebSocket, engine, providers,
 * migrations) and the Playwright browser suite, after Biome's lint and format check (the whole
 * run only), then prints one summary line for CI:
 * `N passed, N failed, N skipped`.
 *
 * TANDEM_TEST_SKIP_BUILD=1 reuses the last build; `npm test -- test/ws.test.ts` runs some files
 * only (e2e files go to Playwright).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const distDir = process.env.NEXT_DIST_DIR || ".next-test";
const env = { ...process.env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" };
const args = process.argv.slice(2);
const nodeFiles = args.filter((a) => a.startsWith("test/"));
const e2eFiles = args.filter((a) => a.startsWith("e2e/"));
const runNode = args.length === 0 || nodeFiles.length > 0;
const runE2e = args.length === 0 || e2eFiles.length > 0;

function run(cmd: string, cmdArgs: string[]) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(" ")}`);
  return spawnSync(cmd, cmdArgs, { stdio: "inherit", env }).status ?? 1;
}

// Lint and format first (Biome): a finding fails the run like a failed test, and costs seconds.
const lintFailed = args.length === 0 && run(path.join("node_modules", ".bin", "biome"), ["check", "."]) !== 0;
if (lintFailed)
  console.log("\nBiome found problems (counted as one failure); `npm run format` fixes formatting and imports.");

if (process.env.TANDEM_TEST_SKIP_BUILD !== "1" || !existsSync(path.join(distDir, "BUILD_ID"))) {
  if (run("npm", ["run", "build"]) !== 0) {
    console.log("\n0 passed, 1 failed, 0 skipped (the build failed)");
    process.exit(1);
  }
}

mkdirSync("test-results", { recursive: true }); // a fresh clone has none; reporters write into it

let passed = 0;
let failed = lintFailed ? 1 : 0;
let skipped = 0;

if (runNode) {
  const tap = path.resolve("test-results/node.tap");
  rmSync(tap, { force: true });
  const files = nodeFiles.length
    ? nodeFiles
    : readdirSync("test")
        .filter((f) => f.endsWith(".test.ts"))
        .sort()
        .map((f) => `test/${f}`);
  const status = run(process.execPath, [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=1",
    "--test-timeout=180000",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  passed += count("pass");
  failed += count("fail") + count("cancelled");
  skipped += count("skipped") + count("todo");
  if (status !== 0 && count("fail") + count("cancelled") === 0) failed += 1; // the runner itself failed
}

if (runE2e) {
  const report = path.resolve("test-results/playwright.json");
  rmSync(report, { force: true });
  const status = run("npx", ["playwright", "test", ...e2eFiles]);
  if (existsSync(report)) {
    const stats = JSON.parse(readFileSync(report, "utf8")).stats as Record<string, number>;
    passed += stats.expected ?? 0;
    failed += stats.unexpected ?? 0;
    skipped += stats.skipped ?? 0;
    if (status !== 0 && !stats.unexpected) failed += 1;
  } else if (status !== 0) {
    failed += 1;
  }
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);

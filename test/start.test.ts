/**
 * `npm start` rebuilds only a stale build (scripts/build-if-stale.mjs): with the sources unchanged
 * since the last build it goes straight to serving; otherwise it runs `npm run build`. A stand-in
 * `npm` on PATH records whether a build was asked for, so the test costs no real build.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { START_ENV, START_NODE_ARGS, serverCommand } from "./support/server";

function startCheck(dist: string) {
  const bin = mkdtempSync(path.join(tmpdir(), "tandem-fake-npm-"));
  const marker = path.join(bin, "built");
  writeFileSync(path.join(bin, "npm"), `#!/bin/sh\necho "$@" > "${marker}"\n`);
  chmodSync(path.join(bin, "npm"), 0o755);
  const run = spawnSync(process.execPath, ["scripts/build-if-stale.mjs"], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NEXT_DIST_DIR: dist },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return { built: existsSync(marker) ? readFileSync(marker, "utf8").trim() : null, stdout: run.stdout };
}

test("npm start builds a missing or stale build, and skips a current one", () => {
  const dist = mkdtempSync(path.join(tmpdir(), "tandem-dist-"));
  // No build yet: it builds, and stamps the sources it built from.
  assert.equal(startCheck(dist).built, "run build");
  const stamp = readFileSync(path.join(dist, "tandem-sources.sha256"), "utf8").trim();
  assert.match(stamp, /^[0-9a-f]{64}$/);

  // A complete build with that stamp is current.
  writeFileSync(path.join(dist, "BUILD_ID"), "x");
  writeFileSync(path.join(dist, "server.mjs"), "");
  const again = startCheck(dist);
  assert.equal(again.built, null);
  assert.match(again.stdout, /is current; not rebuilding/);

  // Sources that differ from the stamp (as after an edit) make it build again.
  writeFileSync(path.join(dist, "tandem-sources.sha256"), `${"0".repeat(64)}\n`);
  assert.equal(startCheck(dist).built, "run build");
});

test("test and bench servers start as npm start does: the same Node flags and environment", () => {
  const start: string = JSON.parse(readFileSync("package.json", "utf8")).scripts.start;
  const [, env, flags] = /&& NODE_ENV=production (.*?) node (.*?) \S*server\.mjs$/.exec(start) ?? [];
  assert.ok(env !== undefined, start);
  assert.deepEqual(
    env.split(" ").map((pair) => pair.replace(/\$\{\w+:-(.*)\}$/, "$1")),
    Object.entries(START_ENV).map(([k, v]) => `${k}=${v}`),
    "the environment (a value npm start takes from the caller's, by its default)",
  );
  assert.deepEqual(flags.split(" "), START_NODE_ARGS);
});

test("npm scripts run on the Node 24 that npm install put in node_modules, whatever the machine's own", () => {
  assert.ok(Number(process.versions.node.split(".")[0]) >= 24, `this is Node ${process.version}`);
});

test("a server started on an older Node refuses with a message instead of crashing later", (t) => {
  // The machine's own Node, where it is older (Node 20 on the development and CI machines).
  const own = spawnSync("/usr/bin/env", ["-i", `PATH=${machinePath()}`, "node", "--version"], { encoding: "utf8" });
  const major = Number(own.stdout.trim().replace(/^v/, "").split(".")[0]);
  if (own.status !== 0 || major >= 24) return t.skip(`the machine's own Node is ${own.stdout.trim() || "missing"}`);
  const run = spawnSync("/usr/bin/env", ["-i", `PATH=${machinePath()}`, "node", ...serverCommand()], {
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /Tandem runs on Node 24 or newer .* this is Node v\d+/);
});

/** PATH without npm's additions (node_modules/.bin), as a shell outside npm has it. */
function machinePath(): string {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => !dir.includes("node_modules"))
    .join(path.delimiter);
}

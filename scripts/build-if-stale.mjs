/**
 * `npm start` runs this before serving: it builds only when the sources changed since the build
 * in NEXT_DIST_DIR was made (a content hash of everything the build reads, kept beside it), so a
 * second start on an unchanged tree serves within seconds instead of paying `next build` again.
 * Plain JavaScript, so it costs no TypeScript loader.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const dist = process.env.NEXT_DIST_DIR || ".next";
const stampFile = path.join(dist, "tandem-sources.sha256");

/** What `npm run build` reads: the app, the domain code, the schema, and the build's configuration. */
const SOURCE_DIRS = ["app", "lib", "prisma", "public"];
const SOURCE_FILES = [
  "server.ts",
  "proxy.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
];

function* files(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (entry.isFile()) yield full;
  }
}

function sourceHash() {
  const hash = createHash("sha256");
  const all = [...SOURCE_DIRS.flatMap((d) => [...files(d)]), ...SOURCE_FILES.filter((f) => existsSync(f))].sort();
  for (const file of all) hash.update(file).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

const current = sourceHash();
const built = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : null;
if (built === current && existsSync(path.join(dist, "BUILD_ID")) && existsSync(path.join(dist, "server.mjs"))) {
  console.log(`The build in ${dist} is current; not rebuilding.`);
} else {
  const { status } = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
  // Hashed again after the build: `next build` may itself touch a source (it adds its types folder to tsconfig.json).
  writeFileSync(stampFile, `${sourceHash()}\n`);
}

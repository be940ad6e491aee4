/**
 * `node --import ./test/support/module-log.mjs …`: records every module the process loads, one
 * path or URL a line, into the file named by TANDEM_MODULE_LOG: ES modules as they are resolved
 * (a loader hook, on Node's loader thread) and CommonJS ones (and native addons) from the
 * require cache at exit. Tests use it to check what a process never loaded.
 */
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const log = process.env.TANDEM_MODULE_LOG;
if (log) {
  register("./module-log-hooks.mjs", import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => appendFileSync(log, `${Object.keys(cache).join("\n")}\n`));
}

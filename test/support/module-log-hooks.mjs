/** The loader hook of module-log.mjs: appends each resolved ES module's URL to TANDEM_MODULE_LOG. */
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.TANDEM_MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}

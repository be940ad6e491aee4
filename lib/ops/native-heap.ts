import { createRequire } from "node:module";

/**
 * glibc's `malloc_trim(0)`, bound through koffi, or undefined where there is none (musl, macOS,
 * Windows, or no koffi build for the platform). Node's buffers, the HTTP parser and the SQLite
 * driver allocate through malloc; glibc keeps what they free for reuse, so after a load some
 * 20-30 MB of RSS stayed in malloc's free lists (docs/operations.md, Sizing). Returning them
 * costs a few milliseconds, which is why only the idle release calls it.
 */
export function loadMallocTrim(): (() => boolean) | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
    const mallocTrim = koffi.load("libc.so.6").func("int malloc_trim(size_t pad)") as (pad: number) => number;
    // 1 when memory was returned to the system.
    return () => mallocTrim(0) === 1;
  } catch {
    return undefined;
  }
}

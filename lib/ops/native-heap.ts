import { createRequire } from "node:module";

/** glibc's `malloc_trim`, once bound; null where there is none. */
let mallocTrim: ((pad: number) => number) | null | undefined;

/**
 * glibc's `malloc_trim(0)`: hands the memory in malloc's free lists back to the system. Node's
 * buffers, the HTTP parser and the SQLite driver allocate through malloc; glibc keeps what they
 * free for reuse, so after a load some 20-30 MB of RSS stayed there (docs/operations.md, Sizing).
 * It costs a few milliseconds, which is why only the idle release calls it. Bound through koffi at
 * the first call (about 30 ms, kept off the start). Returns whether memory went back, or undefined
 * where there is no glibc (musl, macOS, Windows) or no koffi build for the platform.
 */
export function trimMalloc(): boolean | undefined {
  mallocTrim ??= bindMallocTrim();
  return mallocTrim ? mallocTrim(0) === 1 : undefined;
}

function bindMallocTrim(): ((pad: number) => number) | null {
  if (process.platform !== "linux") return null;
  try {
    const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
    return koffi.load("libc.so.6").func("int malloc_trim(size_t pad)") as (pad: number) => number;
  } catch {
    return null;
  }
}

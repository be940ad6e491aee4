import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { trimMalloc } from "./native-heap";

/**
 * How far V8 lets the old generation grow past what survived the last full collection before it
 * collects again: 1.5 times. V8's own choice goes up to 4 times when collections are cheap, and
 * they are here (about 70 MB live), so under load the heap filled with some 250 MB of garbage and
 * RSS stayed there until the process idled long enough for V8's memory reducer. Measured at 1.5:
 * the same request throughput and run cost, about 170 MB less RSS after load
 * (docs/operations.md, Sizing).
 */
const HEAP_GROWING_PERCENT = 50;

/**
 * Applies {@link HEAP_GROWING_PERCENT} unless the command line sets `--heap-growing-percent`
 * (`=0` restores V8's own choice), and says which applies, for the start's log line. V8 reads
 * the flag each time it sets the next collection's limit, so setting it at start takes effect
 * from the next collection on.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): string {
  const given = execArgv.find((arg) => arg.startsWith("--heap-growing-percent"));
  if (given) return `${given.split("=")[1] ?? ""}% (command line)`;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return `${HEAP_GROWING_PERCENT}%`;
}

/**
 * Seconds the server must stay quiet (its event loop under {@link QUIET_UTILIZATION} busy, and no
 * run going) before memory is given back.
 */
const QUIET_SECONDS = 3;
const QUIET_UTILIZATION = 0.02;
/** Heap V8 holds beyond what it uses (garbage, unused young generation) worth a release's pause. */
const SLACK_BYTES = 16 * 1024 * 1024;

/**
 * Whether to give memory back now: the loop has been quiet for {@link QUIET_SECONDS} and V8 holds
 * {@link SLACK_BYTES} more heap than it uses beyond what the last release could not give back.
 */
export function shouldReleaseMemory(quietSeconds: number, slackBytes: number, slackAfterLastRelease: number): boolean {
  return quietSeconds >= QUIET_SECONDS && slackBytes - slackAfterLastRelease >= SLACK_BYTES;
}

/**
 * Gives memory back once the server goes quiet: one memory-reducing collection (the kind V8
 * runs under memory pressure), which also shrinks the young generation from 32 MB to 1 MB, then
 * glibc's free lists where there is glibc. V8's own memory reducer does the first some 10 s after
 * a load and not at all after the start, so an idle instance kept some 35 MB it did not use, and
 * malloc another 20-30 MB after a load (docs/operations.md, Sizing). The collection pauses the
 * process (130-240 ms measured after a start or a load), which is why it waits for a quiet loop
 * and for no run to be going: an agent's streaming answer is never held up by it.
 */
export function releaseMemoryWhenIdle(options: {
  working: () => boolean;
  onRelease: (release: {
    tookMs: number;
    heapBefore: number;
    heapAfter: number;
    rssBefore: number;
    rssAfter: number;
    /** Whether malloc gave memory back; undefined without glibc. */
    mallocTrimmed: boolean | undefined;
  }) => void;
}): void {
  v8.setFlagsFromString("--expose-gc");
  // `gc` exists only in contexts created after the flag is set, as this vm one is.
  const gc = vm.runInNewContext("gc") as (options: { type: "major"; flavor: "last-resort" }) => void;
  let quietSeconds = 0;
  let slackAfterLastRelease = 0;
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const quiet = performance.eventLoopUtilization(now, last).utilization < QUIET_UTILIZATION && !options.working();
    quietSeconds = quiet ? quietSeconds + 1 : 0;
    last = now;
    // V8's own figures: process.memoryUsage() would also read the RSS from /proc every second.
    const before = v8.getHeapStatistics();
    if (!shouldReleaseMemory(quietSeconds, before.total_heap_size - before.used_heap_size, slackAfterLastRelease))
      return;
    const rssBefore = process.memoryUsage.rss();
    const start = performance.now();
    gc({ type: "major", flavor: "last-resort" });
    // After the collection: it frees the buffers whose memory malloc then returns.
    const mallocTrimmed = trimMalloc();
    const tookMs = performance.now() - start;
    const after = v8.getHeapStatistics();
    slackAfterLastRelease = after.total_heap_size - after.used_heap_size;
    quietSeconds = 0;
    last = performance.eventLoopUtilization();
    options.onRelease({
      tookMs,
      heapBefore: before.total_heap_size,
      heapAfter: after.total_heap_size,
      rssBefore,
      rssAfter: process.memoryUsage.rss(),
      mallocTrimmed,
    });
  }, 1000);
  timer.unref();
}

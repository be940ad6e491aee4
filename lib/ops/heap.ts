import v8 from "node:v8";

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

/**
 * Loaded into a benchmarked server (`node --expose-gc --import bench/heap-probe.mjs`): on SIGUSR2
 * it collects garbage and prints the live heap, so `npm run bench` can tell what stays alive
 * (e.g. per WebSocket connection) apart from garbage not yet collected, which RSS also counts.
 * Each answer is numbered, so a reader can wait for the one it asked for.
 */
let probes = 0;
process.on("SIGUSR2", () => {
  globalThis.gc();
  process.stderr.write(`${JSON.stringify({ probe: ++probes, heapProbe: process.memoryUsage().heapUsed })}\n`);
});

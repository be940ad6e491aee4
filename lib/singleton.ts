/**
 * One instance per process. Next bundles route handlers separately from server.ts, so module
 * state would otherwise exist twice (and again after every hot reload); process-wide state
 * (database client, event hub, live runs) lives on globalThis under a registered symbol.
 */
export function singleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`tandem.${name}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  return (store[key] ??= create());
}

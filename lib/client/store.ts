/**
 * A minimal observable store for `useSyncExternalStore`: an immutable snapshot,
 * replaced on every change, and a set of listeners.
 */
export class Store<S> {
  private snapshot: S;
  private readonly listeners = new Set<() => void>();

  constructor(initial: S) {
    this.snapshot = initial;
  }

  readonly getSnapshot = (): S => this.snapshot;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  protected setState(next: Partial<S> | ((s: S) => Partial<S>)): void {
    const patch = typeof next === "function" ? next(this.snapshot) : next;
    let changed = false;
    for (const k of Object.keys(patch) as (keyof S)[]) {
      if (!Object.is(this.snapshot[k], patch[k])) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of [...this.listeners]) l();
  }
}

/**
 * Paces token deltas: the first delta goes out at once (first-token latency), later ones are
 * gathered into a frame at most every `intervalMs`, or sooner once `maxChars` have piled up, so a
 * fast model does not flood clients. Nothing is dropped: concatenated frames equal the input.
 */
export class Coalescer {
  private pending = "";
  private lastFlush = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly emit: (delta: string) => void,
    private readonly intervalMs = 40,
    private readonly maxChars = 256,
  ) {}

  push(delta: string): void {
    if (!delta) return;
    this.pending += delta;
    const wait = this.lastFlush + this.intervalMs - performance.now();
    if (wait <= 0 || this.pending.length >= this.maxChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  /** Sends what is pending now (call before the turn's final events). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    const delta = this.pending;
    this.pending = "";
    this.lastFlush = performance.now();
    this.emit(delta);
  }
}

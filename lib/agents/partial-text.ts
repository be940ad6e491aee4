/**
 * Keeps a streaming message's text in the database while the agent writes, so history shows it
 * and a crash keeps it: at most one write per `intervalMs`, only when the text changed, one write
 * at a time (so an older text never lands after a newer one), and never awaited on the token path.
 */
export class PartialText {
  private text = "";
  private saved = "";
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly save: (text: string) => Promise<void>,
    /** A write failed: called once, and nothing more is written. */
    private readonly onError: (e: unknown) => void,
    private readonly intervalMs = 300,
  ) {}

  /** The whole text so far. */
  update(text: string): void {
    this.text = text;
    if (!this.closed) this.timer ??= setTimeout(() => this.write(), this.intervalMs);
  }

  /** Stops writing and waits for a write in flight, so the caller's final write lands last. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
  }

  private write(): void {
    this.timer = null;
    if (this.closed || this.text === this.saved) return;
    if (this.writing) {
      // The database is slower than the interval: try again after this write.
      this.timer = setTimeout(() => this.write(), this.intervalMs);
      return;
    }
    const text = this.text;
    this.writing = this.save(text).then(
      () => {
        this.saved = text;
        this.writing = null;
      },
      (e) => {
        this.closed = true;
        this.writing = null;
        this.onError(e);
      },
    );
  }
}

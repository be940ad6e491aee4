/** A WebSocket test client that records every frame and can wait for one. */
import WebSocket from "ws";

export interface Frame {
  event: string;
  payload?: Record<string, any>;
  seq?: number;
  session_id?: string;
  [key: string]: unknown;
}

export class ChatClient {
  readonly frames: Frame[] = [];
  readonly raw: string[] = [];
  private waiters: Array<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      this.raw.push(text);
      const frame = JSON.parse(text) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static async connect(url: string): Promise<ChatClient> {
    const ws = new WebSocket(url);
    const client = new ChatClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    await client.waitFor((f) => f.event === "connected");
    return client;
  }

  /** Resolves with the first frame (already received or future) that passes `test`. */
  waitFor(test: (f: Frame) => boolean, timeoutMs = 15_000): Promise<Frame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for a frame; got: ${this.frames.map((f) => f.event).join(", ")}`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  events(name?: string): Frame[] {
    return this.frames.filter((f) => f.event !== "connected" && (name === undefined || f.event === name));
  }

  send(data: string) {
    this.ws.send(data);
  }

  async close() {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.ws.once("close", r));
    this.ws.close();
    await closed;
  }
}

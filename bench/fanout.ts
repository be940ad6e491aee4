/**
 * WebSocket fan-out measurement: many clients over many sessions, events published through a
 * server's /bench/publish (Tandem's hub, or the bare `ws` reference in bare-ws.ts), latency from
 * publish to each client's receipt. Both ends run on this machine, so their clocks agree.
 */
import WebSocket from "ws";

const now = () => performance.timeOrigin + performance.now();

export interface FanoutResult {
  latencies: number[];
  delivered: number;
  expected: number;
}

export async function measureFanout(options: {
  httpUrl: string;
  wsUrl: string;
  sessions: string[];
  clientsPerSession: number;
  rounds: number;
  /** Called once every client is connected, e.g. to read the server's memory. */
  onConnected?: () => Promise<void> | void;
}): Promise<FanoutResult> {
  const latencies: number[] = [];
  let delivered = 0;
  const sockets: WebSocket[] = [];
  for (const sessionId of options.sessions) {
    for (let i = 0; i < options.clientsPerSession; i++) {
      const ws = new WebSocket(`${options.wsUrl}/ws/chat/${sessionId}/`);
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as { payload?: { delta?: string } };
        const sentAt = Number.parseFloat(frame.payload?.delta ?? ""); // the publish time leads the text
        if (Number.isNaN(sentAt)) return; // the connected frame
        latencies.push(now() - sentAt);
        delivered++;
      });
      sockets.push(ws);
    }
  }
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise((resolve, reject) => {
          ws.once("open", resolve);
          ws.once("error", reject);
        }),
    ),
  );
  await options.onConnected?.();

  const perRound = options.sessions.length * options.clientsPerSession;
  for (let round = 0; round < options.rounds; round++) {
    const res = await fetch(`${options.httpUrl}/bench/publish`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sessions: options.sessions }),
    });
    if (!res.ok) throw new Error(`publish: HTTP ${res.status} (is TANDEM_BENCH=1 set?)`);
    const deadline = Date.now() + 5000;
    while (delivered < perRound * (round + 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  }
  for (const ws of sockets) ws.terminate();
  // The first round warms up connections and JIT; it is not counted.
  return { latencies: latencies.slice(perRound), delivered, expected: perRound * options.rounds };
}

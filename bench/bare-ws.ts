/**
 * The reference for the fan-out benchmark: a bare `ws` server that broadcasts the same frames
 * (same size, same JSON serialisation once per event) to the clients of each session, with the
 * same /bench/publish endpoint. `node --import tsx bench/bare-ws.ts <port>`
 */
import { createServer } from "node:http";
import type WebSocket from "ws";
import { WebSocketServer } from "ws";

const groups = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    const { sessions } = JSON.parse(body) as { sessions: string[] };
    const publishedAt = performance.timeOrigin + performance.now(); // the round's events all exist now
    for (const sessionId of sessions) {
      const seq = (seqs.get(sessionId) ?? 0) + 1;
      seqs.set(sessionId, seq);
      const payload = {
        run_id: 0,
        agent: "bench",
        message_id: 0,
        delta: `${publishedAt} A few words of a streamed reply `,
      };
      const frame = JSON.stringify({ event: "agent_token", payload, seq });
      for (const ws of groups.get(sessionId) ?? []) ws.send(frame);
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ published: sessions.length }));
  });
});
const wss = new WebSocketServer({ server });
wss.on("connection", (ws, req) => {
  const sessionId = /^\/ws\/chat\/([^/]+)/.exec(req.url ?? "")?.[1] ?? "";
  if (!groups.has(sessionId)) groups.set(sessionId, new Set());
  groups.get(sessionId)!.add(ws);
  ws.send(JSON.stringify({ event: "connected", session_id: sessionId, seq: 0 }));
  ws.on("close", () => groups.get(sessionId)?.delete(ws));
});
server.listen(Number(process.argv[2]), "127.0.0.1", () => console.log("up"));

/**
 * An OpenAI-compatible Chat Completions server for `npm run bench -- streaming`, run in its own
 * process so that its work is not counted as the server's: every completion streams one token
 * per tick at TOKENS_PER_SECOND for the given seconds, each token's text carrying the time it was
 * sent (`@<ms> `), so clients can measure delivery latency. One timer serves every stream.
 *
 *   node --import tsx bench/stream-model.ts <seconds per completion>   prints its port
 */
import { createServer, type ServerResponse } from "node:http";

const TOKENS_PER_SECOND = 30;
const seconds = Number(process.argv[2] ?? 10);
const tokensPerCompletion = Math.round(seconds * TOKENS_PER_SECOND);
const now = () => performance.timeOrigin + performance.now();

const chunk = (res: ServerResponse, delta: object, finish: string | null = null) =>
  res.write(
    `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
  );

const streams = new Map<ServerResponse, number>();

setInterval(() => {
  const at = now().toFixed(1);
  for (const [res, sent] of streams) {
    if (sent < tokensPerCompletion) {
      chunk(res, { content: `@${at} ` });
      streams.set(res, sent + 1);
      continue;
    }
    streams.delete(res);
    chunk(res, {}, "stop");
    const usage = { prompt_tokens: 50, completion_tokens: sent, total_tokens: 50 + sent };
    res.write(
      `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
  }
}, 1000 / TOKENS_PER_SECOND);

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    chunk(res, { role: "assistant", content: "" });
    streams.set(res, 0);
    res.on("close", () => streams.delete(res));
  });
});
server.keepAliveTimeout = 120_000;
server.listen(0, "127.0.0.1", () => console.log((server.address() as { port: number }).port));

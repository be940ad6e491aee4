import { env } from "@/lib/env";
import { publish } from "@/lib/realtime/hub";

/**
 * Benchmark-only (404 unless TANDEM_BENCH=1): publishes one agent_token-sized event to each
 * given session, its text starting with the time the round was published, so `npm run bench`
 * can measure WebSocket delivery latency from publish to client, through the same hub and
 * sockets real runs use.
 */
export async function POST(req: Request) {
  if (env.TANDEM_BENCH !== "1") return Response.json({ detail: "Not found." }, { status: 404 });
  const { sessions } = (await req.json()) as { sessions: string[] };
  // One time for the round, as when many runs' tokens arrive in one tick: a session's latency
  // includes waiting behind the sessions delivered before it, however the transport orders them.
  const publishedAt = performance.timeOrigin + performance.now();
  for (const sessionId of sessions) {
    publish(sessionId, "agent_token", {
      run_id: 0,
      agent: "bench",
      message_id: 0,
      // The time rides in the text, where a real token's words would be.
      delta: `${publishedAt} A few words of a streamed reply `,
    });
  }
  return Response.json({ published: sessions.length });
}

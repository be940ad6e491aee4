import { sessionJson } from "@/lib/contract/serialize";
import type { SessionRow } from "@/lib/db/sessions";
import { publish } from "@/lib/realtime/hub";

/** Tells the session's open windows (and other admin tabs) what it looks like now. */
export function announceUpdate(session: SessionRow): SessionRow {
  publish(session.sessionId, "session_updated", { session: sessionJson(session) });
  return session;
}

/**
 * The recorded event logs of test/fixtures/client (see record-client-fixtures.ts), typed for the
 * browser code, and the variants the tests derive from them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ChatEvent, Message, SendAccepted, SessionState, Turn } from "@/lib/contract/types";

export interface Fixture {
  scenario: string;
  session_id: string;
  send: SendAccepted;
  cancel?: { run_id: number; status: string };
  /** `connected` first, then the broadcasts. */
  frames: Array<ChatEvent | { event: "connected"; session_id: string; seq: number }>;
  mid_run: { frames_before: number; history: Message[]; state: SessionState };
  history: Message[];
  state: SessionState;
}

export type FixtureName = "normal" | "tools" | "cancel" | "error";

export function fixture(name: FixtureName): Fixture {
  return JSON.parse(
    readFileSync(path.join(import.meta.dirname, "../fixtures/client", `${name}.json`), "utf8"),
  ) as Fixture;
}

/** The broadcasts, without the `connected` frame. */
export const broadcasts = (f: Fixture): ChatEvent[] => f.frames.filter((x): x is ChatEvent => x.event !== "connected");

/** The turn of the fixture's send as the server lists it, failed unless `over` says otherwise. */
export const failedTurn = (f: Fixture, error: string, over: Partial<Turn> = {}): Turn => ({
  run_id: f.send.run_id,
  kind: "send",
  status: "error",
  error,
  user_message_id: f.send.message.id,
  message_ids: [f.send.message.id],
  continued_by: [],
  started_at: f.send.message.created_at,
  ended_at: f.send.message.created_at,
  versions: { index: 0, count: 1, run_ids: [f.send.run_id] },
  edits: { index: 0, count: 1, run_ids: [f.send.run_id], user_message_ids: [f.send.message.id] },
  ...over,
});

/** The session's state before the send: no run, no messages. */
export const idleState = (f: Fixture): SessionState => ({ ...f.state, run: null, message_count: 0 });

type Token = Extract<ChatEvent, { event: "agent_token" }>;
export const isToken = (e: ChatEvent): e is Token => e.event === "agent_token";

/** The same log with each token's `offset` (where its delta starts in the message's text). */
export function withOffsets(events: ChatEvent[]): ChatEvent[] {
  const length = new Map<number | null, number>();
  return events.map((e) => {
    if (!isToken(e)) return e;
    const offset = length.get(e.payload.message_id) ?? 0;
    length.set(e.payload.message_id, offset + e.payload.delta.length);
    return { ...e, payload: { ...e.payload, offset } };
  });
}

/** The text of a message after the tokens up to (and including) `seq`. */
export function textAt(events: ChatEvent[], messageId: number, seq: number): string {
  return events
    .filter((e): e is Token => isToken(e) && e.payload.message_id === messageId && e.seq <= seq)
    .map((e) => e.payload.delta)
    .join("");
}

/**
 * A mid-run history as a server that saves partial text returns it: the streaming message holds
 * the text of the tokens up to `seq`.
 */
export function partialHistory(f: Fixture, events: ChatEvent[], seq: number): Message[] {
  return f.mid_run.history.map((m) => (m.metadata?.streaming ? { ...m, content: textAt(events, m.id, seq) } : m));
}

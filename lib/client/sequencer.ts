/**
 * Orders the WebSocket's broadcast frames for the conversation reducer, as a pure state machine:
 * `sequence(state, input)` returns the next state, the frames to apply now, and whether to take a
 * REST snapshot (history + state). The store does the I/O.
 *
 * - Every event is applied once, in seq order: a frame at or below the last applied seq is a
 *   duplicate (a replay after a reconnect) and is dropped.
 * - A gap in the numbering, a `resync` frame, or a `connected` frame below the last seq (the server
 *   restarted and numbers from scratch) means events were lost: a snapshot replaces them.
 * - While the view waits for a snapshot, frames are buffered, and handed over with it.
 * - A snapshot covers what happened before it started. One started before the current connection
 *   began may miss what the socket never delivered, so a second one follows it.
 */
import type { ChatEvent } from "@/lib/contract/types";

export interface SequencerState {
  /** Every event up to this seq is in the view (null until the first `connected`). */
  lastSeq: number | null;
  /** Counts `connected` frames. */
  connection: number;
  /** The view is not known to be complete: frames wait for a snapshot. */
  waiting: boolean;
  /** The connection in which the snapshot in flight was started; null when none is. */
  loading: number | null;
  /** The snapshot in flight started too early to cover what was lost: take another after it. */
  again: boolean;
  buffer: ChatEvent[];
}

export type SequencerInput =
  | { type: "connected"; seq: number }
  | { type: "frame"; frame: ChatEvent }
  /** The server could not replay; its numbering continues from `seq` when given. */
  | { type: "resync"; seq?: number }
  /** The store wants a fresh snapshot (first load, "Retry now", text only a snapshot has). */
  | { type: "refresh" }
  | { type: "snapshot_loaded" }
  | { type: "snapshot_failed" };

export interface Decision {
  state: SequencerState;
  /** Frames to apply, in order (after the snapshot, for `snapshot_loaded`). */
  apply: ChatEvent[];
  /** Start a REST snapshot now. */
  fetch: boolean;
}

/** Frames kept while waiting; beyond this the rest is dropped and shows up as a gap. */
const MAX_BUFFER = 10_000;

export const initialSequencer: SequencerState = {
  lastSeq: null,
  connection: 0,
  waiting: true,
  loading: null,
  again: false,
  buffer: [],
};

export function sequence(s: SequencerState, input: SequencerInput): Decision {
  switch (input.type) {
    case "connected":
      s = { ...s, connection: s.connection + 1 };
      if (s.lastSeq === null || input.seq < s.lastSeq) return needSnapshot({ ...s, lastSeq: input.seq, buffer: [] });
      // Resuming: the missed frames follow (or a `resync`). A snapshot that failed while the
      // server was away is retried now.
      if (s.waiting && s.loading === null) return needSnapshot(s);
      return { state: s, apply: [], fetch: false };
    case "resync":
      return needSnapshot({ ...s, lastSeq: input.seq ?? s.lastSeq, buffer: [] });
    case "refresh":
      return s.loading === null ? needSnapshot(s) : { state: s, apply: [], fetch: false };
    case "frame":
      if (s.waiting) {
        const buffer = s.buffer.length < MAX_BUFFER ? [...s.buffer, input.frame] : s.buffer;
        return { state: { ...s, buffer }, apply: [], fetch: false };
      }
      return admit(s, input.frame);
    case "snapshot_loaded": {
      s = { ...s, loading: null };
      if (s.again) return needSnapshot({ ...s, again: false });
      let state: SequencerState = { ...s, waiting: false, buffer: [] };
      const apply: ChatEvent[] = [];
      for (let i = 0; i < s.buffer.length; i++) {
        const d = admit(state, s.buffer[i]);
        state = d.state;
        apply.push(...d.apply);
        // A gap: the rest waits for the next snapshot.
        if (d.fetch)
          return { state: { ...state, buffer: [...state.buffer, ...s.buffer.slice(i + 1)] }, apply, fetch: true };
      }
      return { state, apply, fetch: false };
    }
    case "snapshot_failed":
      // Still waiting; the next attempt starts later, so it covers everything.
      return { state: { ...s, loading: null, again: false }, apply: [], fetch: false };
  }
}

/** Applies one frame in order, or detects a duplicate or a gap (when nothing is waiting). */
function admit(s: SequencerState, frame: ChatEvent): Decision {
  if (s.lastSeq !== null && frame.seq <= s.lastSeq) return { state: s, apply: [], fetch: false };
  // Lost frames: a snapshot covers them, and this frame follows it.
  if (s.lastSeq !== null && frame.seq > s.lastSeq + 1)
    return needSnapshot({ ...s, lastSeq: frame.seq - 1, buffer: [frame] });
  return { state: { ...s, lastSeq: frame.seq }, apply: [frame], fetch: false };
}

function needSnapshot(s: SequencerState): Decision {
  s = { ...s, waiting: true };
  if (s.loading === null) return { state: { ...s, loading: s.connection }, apply: [], fetch: true };
  if (s.loading !== s.connection) return { state: { ...s, again: true }, apply: [], fetch: false };
  return { state: s, apply: [], fetch: false };
}

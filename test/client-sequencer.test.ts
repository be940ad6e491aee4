/**
 * The sequencer (lib/client/sequencer.ts): seq order, duplicates, gaps, buffering around REST
 * snapshots, server restarts. Pure: no browser, no server.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type Decision,
  initialSequencer,
  type SequencerInput,
  type SequencerState,
  sequence,
} from "@/lib/client/sequencer";
import type { ChatEvent } from "@/lib/contract/types";

const frame = (seq: number): ChatEvent => ({ event: "run_started", payload: { session_id: "s", run_id: 1 }, seq });
const frames = (...seqs: number[]): SequencerInput[] => seqs.map((seq) => ({ type: "frame", frame: frame(seq) }));

/** Runs inputs; returns the last state, every frame applied, and how many snapshots were asked for. */
function run(inputs: SequencerInput[], state: SequencerState = initialSequencer) {
  const applied: number[] = [];
  let fetches = 0;
  let last: Decision | null = null;
  for (const input of inputs) {
    last = sequence(state, input);
    state = last.state;
    applied.push(...last.apply.map((f) => f.seq));
    if (last.fetch) fetches++;
  }
  return { state, applied, fetches, last };
}

/** Connected at `seq`, first snapshot loaded: live. */
const live = (seq: number) => run([{ type: "connected", seq }, { type: "snapshot_loaded" }]).state;

describe("client sequencer", () => {
  test("the first snapshot is asked for at connect; frames wait for it and follow it in order", () => {
    const r = run([{ type: "connected", seq: 4 }, ...frames(5, 6)]);
    assert.equal(r.fetches, 1);
    assert.deepEqual(r.applied, []);
    const loaded = sequence(r.state, { type: "snapshot_loaded" });
    assert.deepEqual(
      loaded.apply.map((f) => f.seq),
      [5, 6],
    );
    assert.equal(loaded.fetch, false);
    assert.equal(loaded.state.waiting, false);
    assert.deepEqual(run(frames(7), loaded.state).applied, [7]);
  });

  test("a replay after a reconnect: frames already applied are dropped", () => {
    const r = run([...frames(1, 2, 3), { type: "connected", seq: 5 }, ...frames(2, 3, 4, 5, 6)], live(0));
    assert.deepEqual(r.applied, [1, 2, 3, 4, 5, 6]);
    assert.equal(r.fetches, 0);
    assert.equal(r.state.lastSeq, 6);
  });

  test("a gap asks for a snapshot; the frame after the gap and later ones follow it", () => {
    const r = run([...frames(1, 2, 5, 6)], live(0));
    assert.deepEqual(r.applied, [1, 2]);
    assert.equal(r.fetches, 1);
    const loaded = sequence(r.state, { type: "snapshot_loaded" });
    assert.deepEqual(
      loaded.apply.map((f) => f.seq),
      [5, 6],
    );
  });

  test("a gap among buffered frames asks for another snapshot and keeps the rest", () => {
    const r = run([{ type: "refresh" }, ...frames(1, 2, 4, 5)], live(0));
    assert.equal(r.fetches, 1);
    const loaded = sequence(r.state, { type: "snapshot_loaded" });
    assert.deepEqual(
      loaded.apply.map((f) => f.seq),
      [1, 2],
    );
    assert.equal(loaded.fetch, true);
    assert.deepEqual(
      sequence(loaded.state, { type: "snapshot_loaded" }).apply.map((f) => f.seq),
      [4, 5],
    );
  });

  test("a connected frame below the last seq (the server restarted): snapshot, and follow the new numbering", () => {
    const r = run([...frames(1, 2, 3), { type: "connected", seq: 0 }, ...frames(1, 2)], live(0));
    assert.deepEqual(r.applied, [1, 2, 3]);
    assert.equal(r.fetches, 1);
    assert.deepEqual(
      sequence(r.state, { type: "snapshot_loaded" }).apply.map((f) => f.seq),
      [1, 2],
    );
  });

  test("a resync frame right after connect is covered by the snapshot that connect asked for", () => {
    const r = run([...frames(1, 2), { type: "connected", seq: 0 }, { type: "resync", seq: 0 }], live(0));
    assert.equal(r.fetches, 1);
    assert.equal(r.state.again, false);
  });

  test("a resync frame while a snapshot of an earlier connection loads: another snapshot after it", () => {
    const r = run(
      [{ type: "refresh" }, { type: "connected", seq: 9 }, { type: "resync", seq: 20 }, ...frames(21)],
      live(0),
    );
    assert.equal(r.fetches, 1);
    const first = sequence(r.state, { type: "snapshot_loaded" });
    assert.equal(first.fetch, true, "the first snapshot may predate the lost events");
    assert.deepEqual(first.apply, []);
    assert.deepEqual(
      sequence(first.state, { type: "snapshot_loaded" }).apply.map((f) => f.seq),
      [21],
    );
  });

  test("a first snapshot that started before the socket connected is followed by another", () => {
    const r = run([{ type: "refresh" }, { type: "connected", seq: 3 }, ...frames(4)]);
    assert.equal(r.fetches, 1);
    const first = sequence(r.state, { type: "snapshot_loaded" });
    assert.equal(first.fetch, true);
    assert.deepEqual(
      sequence(first.state, { type: "snapshot_loaded" }).apply.map((f) => f.seq),
      [4],
    );
  });

  test("a failed snapshot keeps buffering; a refresh or a reconnect tries again", () => {
    const r = run([{ type: "connected", seq: 0 }, { type: "snapshot_failed" }, ...frames(1)]);
    assert.equal(r.state.waiting, true);
    assert.equal(r.state.loading, null);
    assert.equal(sequence(r.state, { type: "refresh" }).fetch, true);
    const reconnected = sequence(r.state, { type: "connected", seq: 1 });
    assert.equal(reconnected.fetch, true);
    assert.deepEqual(
      sequence(reconnected.state, { type: "snapshot_loaded" }).apply.map((f) => f.seq),
      [1],
    );
  });

  test("a refresh while a snapshot loads asks for nothing more", () => {
    const r = run([{ type: "connected", seq: 0 }, { type: "refresh" }, { type: "refresh" }]);
    assert.equal(r.fetches, 1);
  });
});

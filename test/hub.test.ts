/**
 * The in-process hub on its own (lib/realtime/hub.ts): its replay windows stay within their byte
 * bounds, per session and in total, and replay still works for what they keep.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { Hub } from "@/lib/realtime/hub";

const KiB = 1024;
const kib = "x".repeat(KiB);

/** Subscribes with `since` and reports what was replayed (then unsubscribes). */
function replay(hub: Hub, sessionId: string, since: number) {
  const seqs: number[] = [];
  const sub = hub.subscribe(sessionId, since, (d) => seqs.push(d.seq));
  sub.unsubscribe();
  return { replayed: sub.replayed, seqs, seq: sub.seq };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const publishN = (hub: Hub, sessionId: string, n: number, delta = kib) => {
  for (let i = 0; i < n; i++) hub.publish(sessionId, "agent_token", { run_id: 1, agent: "a", message_id: null, delta });
};

describe("in-process hub: replay memory", () => {
  test("a session's window holds at most its byte bound; recent events still replay", () => {
    const hub = new Hub({ events: 1000, bytes: 256 * KiB, totalBytes: 64 * 1024 * KiB });
    publishN(hub, "long", 2000);
    assert.ok(hub.bytes <= 256 * KiB, `${hub.bytes} bytes kept`);
    assert.ok(hub.bytes > 200 * KiB, `${hub.bytes} bytes kept: the window should stay nearly full`);

    const recent = replay(hub, "long", 1800);
    assert.deepEqual([recent.replayed, recent.seq], [true, 2000]);
    assert.deepEqual(recent.seqs, range(1801, 2000));
    // 260 frames of over 1 KiB each are more than the bound: the client is told to resync.
    assert.deepEqual(replay(hub, "long", 1740), { replayed: false, seqs: [], seq: 2000 });
  });

  test("the bound is memory: frames of prose with a dash (two bytes a character in V8) count what they take", () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const heapFor = (delta: string) => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const hub = new Hub({ events: 1000, bytes: 256 * KiB, totalBytes: 64 * 1024 * KiB });
      for (let s = 0; s < 40; s++) publishN(hub, `s${s}`, 1000, delta);
      gc();
      return { kept: hub.bytes, grew: process.memoryUsage().heapUsed - before };
    };
    const words = "A few words of a streamed reply ".repeat(4);
    for (const [label, delta] of [
      ["ASCII", words],
      ["with a dash", `${words.slice(1)}—`],
    ]) {
      const { kept, grew } = heapFor(delta);
      // The windows' memory stays near what they count (not, as before, up to twice it).
      assert.ok(grew < kept * 1.25, `${label}: the heap grew ${grew} bytes for ${kept} counted`);
    }
  });

  test("a frame larger than the session's bound is delivered but not kept", () => {
    const hub = new Hub({ events: 1000, bytes: 64 * KiB, totalBytes: 64 * 1024 * KiB });
    publishN(hub, "big", 3);
    const live: number[] = [];
    const sub = hub.subscribe("big", undefined, (d) => live.push(d.seq));
    publishN(hub, "big", 1, "y".repeat(100 * KiB));
    sub.unsubscribe();
    assert.deepEqual(live, [4]);
    assert.equal(hub.bytes, 0);
    assert.deepEqual(replay(hub, "big", 3), { replayed: false, seqs: [], seq: 4 });
    assert.deepEqual(replay(hub, "big", 4), { replayed: true, seqs: [], seq: 4 });
  });

  test("past the total bound, the least recently used idle sessions lose their windows first", () => {
    const total = 1024 * KiB;
    const hub = new Hub({ events: 1000, bytes: 64 * KiB, totalBytes: total });
    const watched = hub.subscribe("watched", undefined, () => {});
    publishN(hub, "watched", 40);
    let most = 0;
    for (let s = 0; s < 100; s++) {
      publishN(hub, `idle-${s}`, 40);
      most = Math.max(most, hub.bytes);
    }
    assert.ok(most <= total, `${most} bytes kept at most`);

    // The watched session was used first, yet keeps everything; so does the latest idle one.
    assert.deepEqual(replay(hub, "watched", 0).seqs, range(1, 40));
    assert.deepEqual(replay(hub, "idle-99", 0).seqs, range(1, 40));
    // The oldest idle sessions were evicted whole: their clients resync, numbering goes on.
    assert.deepEqual(replay(hub, "idle-0", 0), { replayed: false, seqs: [], seq: 40 });
    assert.deepEqual(replay(hub, "idle-0", 40), { replayed: true, seqs: [], seq: 40 });
    watched.unsubscribe();
  });

  test("with no idle session left to evict, the largest windows lose their oldest frames", () => {
    const total = 256 * KiB;
    const hub = new Hub({ events: 1000, bytes: 64 * KiB, totalBytes: total });
    const subs = [];
    for (const id of ["big-0", "big-1", "big-2", "big-3", "small-0", "small-1", "small-2", "small-3"]) {
      subs.push(hub.subscribe(id, undefined, () => {}));
    }
    for (let b = 0; b < 4; b++) publishN(hub, `big-${b}`, 60);
    for (let s = 0; s < 4; s++) publishN(hub, `small-${s}`, 5);
    assert.ok(hub.bytes <= total, `${hub.bytes} bytes kept`);

    for (let s = 0; s < 4; s++) assert.deepEqual(replay(hub, `small-${s}`, 0).seqs, range(1, 5));
    for (let b = 0; b < 4; b++) {
      assert.equal(replay(hub, `big-${b}`, 0).replayed, false);
      assert.deepEqual(replay(hub, `big-${b}`, 50).seqs, range(51, 60));
    }
    for (const sub of subs) sub.unsubscribe();
  });

  test("the total holds under frames of every size when every session is watched (seeded)", () => {
    const total = 128 * KiB;
    const hub = new Hub({ events: 200, bytes: 96 * KiB, totalBytes: total });
    let state = 3; // made the first version of the trimming loop spin forever
    const random = (n: number) => (state = (state * 1103515245 + 12345) % 2 ** 31) % n;
    const subs = Array.from({ length: 6 }, (_, i) => hub.subscribe(`s-${i}`, undefined, () => {}));
    const last = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const size = random(4) === 0 ? random(60 * KiB) : random(2 * KiB);
      const id = `s-${random(6)}`;
      hub.publish(id, "agent_token", { run_id: 1, agent: "a", message_id: null, delta: "z".repeat(size) });
      last.set(id, (last.get(id) ?? 0) + 1);
      assert.ok(hub.bytes <= total, `${hub.bytes} bytes kept after publish ${i}`);
    }
    // Whatever a window kept, it replays up to the session's latest event.
    for (const [id, seq] of last) {
      const kept = replay(hub, id, seq - 1);
      if (kept.replayed) assert.deepEqual(kept.seqs, [seq]);
    }
    for (const sub of subs) sub.unsubscribe();
  });

  test("a dropped session's bytes are released", () => {
    const hub = new Hub({ events: 1000, bytes: 64 * KiB, totalBytes: 1024 * KiB });
    publishN(hub, "gone", 10);
    assert.ok(hub.bytes > 10 * KiB);
    hub.drop("gone");
    assert.equal(hub.bytes, 0);
  });
});

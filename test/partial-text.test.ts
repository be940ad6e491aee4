/**
 * Streaming messages' texts reach the database together: one write per interval for every
 * message that changed, one write at a time, and a message's final write lands after its last
 * partial one (lib/agents/partial-text.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PartialTexts } from "@/lib/agents/partial-text";

const INTERVAL = 20;
const unexpected = (e: unknown) => assert.fail(`a write failed: ${e}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A save that records each write and takes `takesMs`, failing while `failing` is set. */
function recorder(takesMs = 0) {
  const writes: Map<number, string>[] = [];
  let inFlight = 0;
  let overlapped = false;
  const state = { failing: null as Error | null };
  const save = async (texts: Map<number, string>) => {
    overlapped ||= inFlight > 0;
    inFlight++;
    await pause(takesMs);
    inFlight--;
    if (state.failing) throw state.failing;
    writes.push(new Map(texts));
  };
  return { writes, save, state, overlapped: () => overlapped };
}

test("the texts of every streaming message go in one write per interval, each at its newest", async () => {
  const { writes, save } = recorder();
  const texts = new PartialTexts(save, INTERVAL);
  const a = texts.open(unexpected);
  const b = texts.open(unexpected);
  a.update(1, "a");
  b.update(2, "b");
  a.update(1, "a b");
  await pause(INTERVAL * 3);
  assert.deepEqual(writes, [
    new Map([
      [1, "a b"],
      [2, "b"],
    ]),
  ]);
  b.update(2, "b c");
  await pause(INTERVAL * 3);
  assert.deepEqual(writes[1], new Map([[2, "b c"]]), "only what changed since");
  assert.equal(writes.length, 2, "nothing is written while nothing changes");
});

test("one write at a time when the database is slower than the interval, newest text last", async () => {
  const { writes, save, overlapped } = recorder(INTERVAL * 3);
  const texts = new PartialTexts(save, INTERVAL);
  const a = texts.open(unexpected);
  for (let i = 1; i <= 10; i++) {
    a.update(1, "x".repeat(i));
    await pause(INTERVAL / 2);
  }
  await a.close();
  assert.equal(overlapped(), false);
  assert.ok(writes.length >= 1 && writes.length < 10, `${writes.length} writes`);
  const lengths = writes.map((w) => w.get(1)!.length);
  assert.deepEqual(
    lengths,
    [...lengths].sort((x, y) => x - y),
    "never an older text after a newer one",
  );
});

test("closing waits for the write in flight and drops what was not written, so the final write lands last", async () => {
  const { writes, save } = recorder(INTERVAL * 2);
  const texts = new PartialTexts(save, INTERVAL);
  const a = texts.open(unexpected);
  a.update(1, "partial");
  await pause(INTERVAL * 1.5); // the write of "partial" is in flight
  a.update(1, "partial, more");
  await a.close();
  assert.deepEqual(writes, [new Map([[1, "partial"]])], "the write in flight ended before close() returned");
  a.update(1, "after close");
  await pause(INTERVAL * 4);
  assert.equal(writes.length, 1, "nothing is written once closed");
});

test("a failed write tells each of its messages once and writes nothing more for them; the others go on", async () => {
  const { writes, save, state } = recorder();
  const texts = new PartialTexts(save, INTERVAL);
  const failures: string[] = [];
  const a = texts.open((e) => failures.push(`a: ${(e as Error).message}`));
  const b = texts.open((e) => failures.push(`b: ${(e as Error).message}`));
  a.update(1, "a");
  b.update(2, "b");
  state.failing = new Error("disk full");
  await pause(INTERVAL * 3);
  assert.deepEqual(failures, ["a: disk full", "b: disk full"]);
  state.failing = null;
  a.update(1, "a again");
  const c = texts.open(unexpected);
  c.update(3, "c");
  await pause(INTERVAL * 3);
  assert.deepEqual(writes, [new Map([[3, "c"]])]);
  assert.equal(failures.length, 2);
});

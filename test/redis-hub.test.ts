/**
 * The Redis transport on its own (lib/realtime/redis.ts), two hubs standing in for two
 * instances: one numbering across publishers, order, replay from the stream, resync, outage.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import type { Delivery, Subscription } from "@/lib/realtime/hub";
import { RedisHub } from "@/lib/realtime/redis";
import { requireServices } from "./support/databases";
import {
  cleanupRedisPrefix,
  freshRedisPrefix,
  redisReachable,
  startRedisServer,
  TEST_REDIS_URL,
} from "./support/redis";

const reachable = await redisReachable();
if (!reachable && requireServices())
  throw new Error(`Redis is required (TANDEM_REQUIRE_SERVICES=1) but ${TEST_REDIS_URL} is unreachable`);
const skip = reachable ? false : `Redis is not reachable at ${TEST_REDIS_URL}`;

/** Records what a listener receives, parsed, and waits for a count. */
function recorder() {
  const got: Array<{ seq: number; frame: any; resync?: boolean }> = [];
  let waiter: { n: number; resolve: () => void } | null = null;
  const listener = (d: Delivery) => {
    got.push({ seq: d.seq, frame: JSON.parse(d.frame), resync: d.resync });
    if (waiter && got.length >= waiter.n) waiter.resolve();
  };
  const until = (n: number, ms = 10_000) =>
    got.length >= n
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${n} deliveries`)), ms);
          waiter = {
            n,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          };
        });
  return { got, listener, until };
}

const publishN = (hub: RedisHub, session: string, n: number, from = 0, pad = "") => {
  for (let i = from; i < from + n; i++)
    hub.publish(session, "agent_token", { run_id: 0, agent: "a", message_id: i, delta: `t${i} ${pad}` });
};

describe("Redis transport", { skip }, () => {
  const prefix = freshRedisPrefix("hub");
  let a: RedisHub;
  let b: RedisHub;
  before(async () => {
    a = new RedisHub({ url: TEST_REDIS_URL, prefix, windowSize: 1000, windowBytes: 256 * 1024 });
    b = new RedisHub({ url: TEST_REDIS_URL, prefix, windowSize: 1000, windowBytes: 256 * 1024 });
    await Promise.all([a.start(), b.start()]);
    assert.ok(a.connected && b.connected);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await cleanupRedisPrefix(TEST_REDIS_URL, prefix);
  });

  test("frames keep today's format: {event, payload, seq}", async () => {
    const rec = recorder();
    const sub = await a.subscribe("format", undefined, rec.listener);
    b.publish("format", "run_started", { session_id: "format", run_id: 7 });
    await rec.until(1);
    assert.equal(sub.seq, 0);
    assert.deepEqual(rec.got[0].frame, { event: "run_started", payload: { session_id: "format", run_id: 7 }, seq: 1 });
    assert.equal(rec.got[0].seq, 1);
    sub.unsubscribe();
  });

  test("two publishers share one numbering; both instances deliver the same sequence, no gap", async () => {
    const ra = recorder();
    const rb = recorder();
    const [sa, sb] = await Promise.all([
      a.subscribe("shared", undefined, ra.listener),
      b.subscribe("shared", undefined, rb.listener),
    ]);
    // Interleaved bursts from both instances, as coalesced token frames would come.
    for (let round = 0; round < 10; round++) {
      publishN(a, "shared", 30, round * 60);
      publishN(b, "shared", 30, round * 60 + 30);
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all([ra.until(600), rb.until(600)]);
    assert.deepEqual(
      ra.got.map((g) => g.seq),
      Array.from({ length: 600 }, (_, i) => i + 1),
    );
    assert.deepEqual(rb.got, ra.got, "both instances see the same frames in the same order");
    // Each publisher's own events keep their publish order.
    for (const half of [0, 30]) {
      const mine = ra.got
        .map((g) => g.frame.payload.message_id)
        .filter((i: number) => i % 60 >= half && i % 60 < half + 30);
      assert.deepEqual(
        mine,
        [...mine].sort((x, y) => x - y),
      );
    }
    sa.unsubscribe();
    sb.unsubscribe();
  });

  test("replays `since` from the stream on another instance, then goes live with no duplicate", async () => {
    const first = recorder();
    const s1 = await a.subscribe("replay", undefined, first.listener);
    publishN(a, "replay", 20);
    await first.until(20);

    const late = recorder();
    const s2 = await b.subscribe("replay", 12, late.listener);
    assert.equal(s2.replayed, true);
    assert.equal(s2.seq, 20);
    publishN(a, "replay", 5, 20);
    await late.until(13);
    assert.deepEqual(
      late.got.map((g) => g.seq),
      Array.from({ length: 13 }, (_, i) => 13 + i),
    );
    await first.until(25);
    assert.deepEqual(late.got, first.got.slice(12));

    // Subscribing while a burst is in flight: replay and live meet without gap or duplicate.
    const racing = recorder();
    publishN(b, "replay", 50, 25);
    const s3 = await a.subscribe("replay", 3, racing.listener);
    await racing.until(72);
    assert.deepEqual(
      racing.got.map((g) => g.seq),
      Array.from({ length: 72 }, (_, i) => 4 + i),
    );
    for (const s of [s1, s2, s3]) s.unsubscribe();
  });

  test("a since it cannot honour (trimmed away, or never issued) is not replayed", async () => {
    const rec = recorder();
    const s1 = await a.subscribe("trim", undefined, rec.listener);
    publishN(b, "trim", 30);
    await rec.until(30);
    const direct = new Redis(TEST_REDIS_URL);
    await direct.xtrim(`${prefix}events:{trim}`, "MAXLEN", 10); // exact: keeps 21..30
    await direct.quit();

    const old = recorder();
    const s2 = await b.subscribe("trim", 5, old.listener);
    assert.deepEqual([s2.replayed, s2.seq, old.got.length], [false, 30, 0]);
    const kept = recorder();
    const s3 = await b.subscribe("trim", 20, kept.listener);
    assert.equal(s3.replayed, true);
    assert.deepEqual(
      kept.got.map((g) => g.seq),
      Array.from({ length: 10 }, (_, i) => 21 + i),
    );
    const future = await b.subscribe("trim", 999, () => {});
    assert.deepEqual([future.replayed, future.seq], [false, 30]);
    for (const s of [s1, s2, s3, future]) s.unsubscribe();
  });

  test("drop() forgets a deleted session's events after its last publish went out", async () => {
    const rec = recorder();
    const s = await b.subscribe("dropped", undefined, rec.listener);
    a.publish("dropped", "session_deleted", { session_id: "dropped" });
    a.drop("dropped");
    await rec.until(1);
    assert.equal(rec.got[0].frame.event, "session_deleted");
    s.unsubscribe();
    const again = await b.subscribe("dropped", undefined, () => {});
    assert.equal(again.seq, 0, "the numbering starts over");
    again.unsubscribe();
    const direct = new Redis(TEST_REDIS_URL);
    assert.equal(
      await direct.exists(`${prefix}seq:{dropped}`, `${prefix}events:{dropped}`, `${prefix}bytes:{dropped}`),
      0,
    );
    await direct.quit();
  });

  test("a session's keys expire a week after its last event, give or take the hour between refreshes", async (t) => {
    const WEEK = 7 * 24 * 3600 * 1000;
    const HOUR = 3600 * 1000;
    const keys = [`${prefix}seq:{ttl}`, `${prefix}events:{ttl}`, `${prefix}bytes:{ttl}`];
    const direct = new Redis(TEST_REDIS_URL);
    t.after(() => direct.quit());
    const ttls = () => Promise.all(keys.map((k) => direct.pttl(k)));
    const rec = recorder();
    const s = await a.subscribe("ttl", undefined, rec.listener);
    t.after(() => s.unsubscribe());
    const publishAndWait = async (n: number) => {
      publishN(b, "ttl", 1, n);
      await rec.until(n + 1);
    };
    await publishAndWait(0);
    for (const ttl of await ttls()) assert.ok(ttl > WEEK - 60_000 && ttl <= WEEK, `${ttl} ms left`);
    // Less than a week minus an hour left: the next event gives all three their week again.
    for (const k of keys) await direct.pexpire(k, WEEK - 2 * HOUR);
    await publishAndWait(1);
    for (const ttl of await ttls()) assert.ok(ttl > WEEK - 60_000, `${ttl} ms left`);
    // Within the hour: left as they are (no PEXPIRE each tick).
    for (const k of keys) await direct.pexpire(k, WEEK - HOUR / 2);
    await publishAndWait(2);
    for (const ttl of await ttls()) assert.ok(ttl <= WEEK - HOUR / 2 && ttl > WEEK - HOUR, `${ttl} ms left`);
    // Trimming to the byte bound rewrites the byte total and keeps its expiry.
    publishN(b, "ttl", 300, 3, "x".repeat(1024));
    await rec.until(303);
    assert.ok(Number(await direct.get(keys[2])) <= 256 * 1024, "trimmed");
    for (const ttl of await ttls()) assert.ok(ttl > WEEK - HOUR, `${ttl} ms left`);
  });

  test("a session's stream holds at most its byte bound, and still replays recent events", async () => {
    const rec = recorder();
    const s1 = await a.subscribe("bytes", undefined, rec.listener);
    publishN(b, "bytes", 2000, 0, "x".repeat(1024));
    await rec.until(2000);

    const direct = new Redis(TEST_REDIS_URL);
    const entries = await direct.xrange(`${prefix}events:{bytes}`, "-", "+");
    const kept = entries.reduce((sum, [, fields]) => sum + Buffer.byteLength(fields[1]), 0);
    assert.ok(kept <= 256 * 1024 && kept > 200 * 1024, `${kept} bytes kept in ${entries.length} entries`);
    assert.equal(Number(await direct.get(`${prefix}bytes:{bytes}`)), kept, "the byte total matches the stream");
    assert.equal(entries.at(-1)![0], "2000-0");

    const recent = recorder();
    const s2 = await b.subscribe("bytes", 1800, recent.listener);
    assert.equal(s2.replayed, true);
    assert.deepEqual(
      recent.got.map((g) => g.seq),
      Array.from({ length: 200 }, (_, i) => 1801 + i),
    );
    const old = await b.subscribe("bytes", 1740, () => {});
    assert.equal(old.replayed, false);

    // A frame larger than the bound reaches live clients but empties the stream.
    b.publish("bytes", "agent_turn", {
      run_id: 1,
      agent: "a",
      role: "r",
      message_id: 1,
      content: "y".repeat(300 * 1024),
    });
    await rec.until(2001);
    assert.equal(await direct.xlen(`${prefix}events:{bytes}`), 0);
    assert.equal(Number(await direct.get(`${prefix}bytes:{bytes}`)), 0);
    publishN(b, "bytes", 3, 2001);
    await rec.until(2004);
    assert.deepEqual(
      (await direct.xrange(`${prefix}events:{bytes}`, "-", "+")).map(([id]) => id),
      ["2002-0", "2003-0", "2004-0"],
    );
    await direct.quit();
    for (const s of [s1, s2, old]) s.unsubscribe();
  });
});

const redisServer = reachable ? await startRedisServer() : null;
describe("Redis transport during an outage", {
  skip: skip || (redisServer ? false : "redis-server is not installed"),
}, () => {
  let a: RedisHub;
  let b: RedisHub;
  const prefix = freshRedisPrefix("outage");
  before(async () => {
    a = new RedisHub({ url: redisServer!.url, prefix, windowSize: 100, windowBytes: 256 * 1024 });
    b = new RedisHub({ url: redisServer!.url, prefix, windowSize: 100, windowBytes: 256 * 1024 });
    await Promise.all([a.start(), b.start()]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redisServer?.kill();
  });

  test("publishing never throws; local clients keep receiving; after Redis returns: resync, then fan-out", async () => {
    const ra = recorder();
    const rb = recorder();
    const subs: Subscription[] = await Promise.all([
      a.subscribe("s", undefined, ra.listener),
      b.subscribe("s", undefined, rb.listener),
    ]);
    publishN(b, "s", 3);
    await Promise.all([ra.until(3), rb.until(3)]);

    await redisServer!.kill();
    while (b.connected || a.connected) await new Promise((r) => setTimeout(r, 10));
    assert.doesNotThrow(() => publishN(b, "s", 4, 3));
    await rb.until(7);
    assert.deepEqual(
      rb.got.slice(3).map((g) => [g.seq, g.frame.payload.message_id]),
      [
        [4, 3],
        [5, 4],
        [6, 5],
        [7, 6],
      ],
      "delivered locally, numbered on",
    );
    assert.equal(ra.got.length, 3, "the other instance cannot hear of them");

    await redisServer!.restart();
    await Promise.all([ra.until(4), rb.until(8)]);
    for (const got of [ra.got.at(-1)!, rb.got.at(-1)!]) {
      assert.equal(got.resync, true);
      assert.equal(got.frame.event, "resync");
      assert.equal(got.frame.payload.seq, 0, "Redis came back empty: numbering restarts");
    }
    publishN(a, "s", 2, 100);
    await Promise.all([ra.until(6), rb.until(10)]);
    for (const r of [ra, rb])
      assert.deepEqual(
        r.got.slice(-2).map((g) => [g.seq, g.frame.payload.message_id]),
        [
          [1, 100],
          [2, 101],
        ],
      );
    for (const s of subs) s.unsubscribe();
  });
});

const batchServer = reachable ? await startRedisServer() : null;
describe("Redis transport batches a tick's publishes", {
  skip: skip || (batchServer ? false : "redis-server is not installed"),
}, () => {
  let a: RedisHub;
  let b: RedisHub;
  let direct: Redis;
  const prefix = freshRedisPrefix("batch");
  before(async () => {
    a = new RedisHub({ url: batchServer!.url, prefix, windowSize: 1000, windowBytes: 256 * 1024 });
    b = new RedisHub({ url: batchServer!.url, prefix, windowSize: 1000, windowBytes: 256 * 1024 });
    await Promise.all([a.start(), b.start()]);
    direct = new Redis(batchServer!.url);
  });
  after(async () => {
    direct?.disconnect();
    await Promise.all([a?.close(), b?.close()]);
    await batchServer?.kill();
  });

  /** Script calls Redis has run since the last reset (the first on a connection is EVAL, then EVALSHA). */
  const scriptCalls = async () => {
    const stats = await direct.info("commandstats");
    return [...stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  };

  test("a burst over three sessions is one script call; each session keeps its order and seq", async () => {
    const sessions = ["b1", "b2", "b3"];
    const recs = sessions.map(() => recorder());
    const subs = await Promise.all(sessions.map((s, i) => b.subscribe(s, undefined, recs[i].listener)));
    await direct.config("RESETSTAT");
    // Interleaved, as the tokens of three runs arriving in one loop turn would be.
    for (let i = 0; i < 300; i++)
      a.publish(sessions[i % 3], "agent_token", { run_id: 0, agent: "a", message_id: i, delta: `t${i}` });
    await Promise.all(recs.map((r) => r.until(100)));
    assert.equal(await scriptCalls(), 1, "one call for the tick");
    sessions.forEach((session, k) => {
      assert.deepEqual(
        recs[k].got.map((g) => [g.seq, g.frame.payload.message_id]),
        Array.from({ length: 100 }, (_, i) => [i + 1, i * 3 + k]),
        `${session}: publish order, seq 1…100`,
      );
    });
    const stream = await direct.xrange(`${prefix}events:{b2}`, "-", "+");
    assert.deepEqual(
      stream.map(([id, fields]) => [id, JSON.parse(fields[1]).payload.message_id]),
      Array.from({ length: 100 }, (_, i) => [`${i + 1}-0`, i * 3 + 1]),
      "the replay window holds the same frames under the same seqs",
    );
    assert.equal(await direct.get(`${prefix}seq:{b1}`), "100");
    for (const s of subs) s.unsubscribe();
  });

  test("a tick over 250 sessions is three script calls (100 sessions a call); every session gets its frames", async () => {
    const sessions = Array.from({ length: 250 }, (_, i) => `wide${i}`);
    const recs = sessions.map(() => recorder());
    const subs = await Promise.all(sessions.map((s, i) => b.subscribe(s, undefined, recs[i].listener)));
    await direct.config("RESETSTAT");
    // Two frames a session, all in one tick.
    for (let round = 0; round < 2; round++)
      for (const [i, s] of sessions.entries()) publishN(a, s, 1, round * 1000 + i);
    await Promise.all(recs.map((r) => r.until(2)));
    assert.equal(await scriptCalls(), 3);
    for (const [i, r] of recs.entries()) {
      assert.deepEqual(
        r.got.map((g) => [g.seq, g.frame.payload.message_id]),
        [
          [1, i],
          [2, 1000 + i],
        ],
        sessions[i],
      );
    }
    for (const s of subs) s.unsubscribe();
  });

  test("Redis gone mid-batch: the whole batch is delivered locally, in publish order, numbered on", async () => {
    const recs = [recorder(), recorder()];
    const subs = await Promise.all(["o1", "o2"].map((s, i) => a.subscribe(s, undefined, recs[i].listener)));
    publishN(a, "o1", 5);
    publishN(a, "o2", 5);
    await Promise.all(recs.map((r) => r.until(5)));
    // Paused, Redis runs no script of the next batch before it dies, so none of it was published.
    await direct.call("CLIENT", "PAUSE", "10000", "WRITE");
    for (let i = 5; i < 65; i++) publishN(a, i % 2 ? "o2" : "o1", 1, i);
    await batchServer!.kill();
    await Promise.all(recs.map((r) => r.until(35)));
    const after = recs.map((r) => r.got.slice(5).map((g) => [g.seq, g.frame.payload.message_id]));
    assert.deepEqual(
      after[0],
      Array.from({ length: 30 }, (_, i) => [6 + i, 5 + i * 2 + 1]),
    );
    assert.deepEqual(
      after[1],
      Array.from({ length: 30 }, (_, i) => [6 + i, 5 + i * 2]),
    );
    assert.equal(a.connected, false);
    for (const s of subs) s.unsubscribe();
  });
});

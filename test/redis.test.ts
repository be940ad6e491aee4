/**
 * Redis fan-out with real servers: two Tandem instances on one PostgreSQL database and one Redis
 * (each test its own key prefix). A client on one instance follows a run executing on the other;
 * replay crosses instances; a Redis outage leaves REST and local clients working, then fan-out
 * resumes.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { apiClient } from "./support/api";
import { type FreshPostgres, freshPostgresUrl, requireServices } from "./support/databases";
import {
  cleanupRedisPrefix,
  freshRedisPrefix,
  type RedisServer,
  redisReachable,
  startRedisServer,
  TEST_REDIS_URL,
} from "./support/redis";
import { startServer, type TandemServer } from "./support/server";
import { ChatClient, type Frame } from "./support/ws";

/** Which services are missing, or null; fails instead under TANDEM_REQUIRE_SERVICES=1. */
async function missingServices(): Promise<string | null> {
  const probe = await freshPostgresUrl("redis-probe");
  await probe?.drop();
  const missing = [!probe && "PostgreSQL", !(await redisReachable()) && `Redis (${TEST_REDIS_URL})`].filter(Boolean);
  if (missing.length === 0) return null;
  const reason = `${missing.join(" and ")} not reachable`;
  if (requireServices()) throw new Error(`${reason}, but TANDEM_REQUIRE_SERVICES=1`);
  return reason;
}
const skip = (await missingServices()) ?? false;

/** The run's events in causal order, as test/ws.test.ts has them for one instance. */
const RUN_EVENTS = [
  "run_started",
  "message_created",
  "agent_started",
  "tool_call",
  "message_created",
  "tool_result",
  "message_created",
  "agent_turn",
  "agent_started",
  "message_created",
  "agent_turn",
  "run_completed",
];

const isRunEnd = (f: Frame) => f.event === "run_completed" || f.event === "run_error";

/** Two instances sharing a fresh PostgreSQL database and `redisUrl` under a fresh prefix. */
async function twoInstances(label: string, redisUrl: string, extra: Record<string, string> = {}) {
  const db = (await freshPostgresUrl(label)) as FreshPostgres;
  const prefix = freshRedisPrefix(label);
  const env = { REDIS_URL: redisUrl, TANDEM_REDIS_PREFIX: prefix, TANDEM_OFFLINE_DELAY_MS: "1", ...extra };
  // Started one after the other: both migrate the same database at start.
  const a = await startServer({ databaseUrl: db.url, env });
  const b = await startServer({ databaseUrl: db.url, env });
  return {
    a,
    b,
    prefix,
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
      await cleanupRedisPrefix(redisUrl, prefix);
    },
  };
}

describe("Redis fan-out across instances", { skip }, () => {
  let a: TandemServer;
  let b: TandemServer;
  let prefix: string;
  let stop: () => Promise<void>;
  before(async () => {
    ({ a, b, prefix, stop } = await twoInstances("fanout", TEST_REDIS_URL));
  });
  after(async () => {
    await stop?.();
  });

  test("a client on A sees every event of a run executing on B, in order, seq 1, 2, 3…", async () => {
    const apiA = apiClient(a.url);
    const apiB = apiClient(b.url);
    // Titled, so that no title is generated (and announced) after the run: the test counts events.
    const id = (await apiA("POST", "/api/sessions/", { title: "Redis test" })).json.session_id as string;
    const onA = await ChatClient.connect(`${a.wsUrl}/ws/chat/${id}/`);
    const onB = await ChatClient.connect(`${b.wsUrl}/ws/chat/${id}/`);
    const sent = await apiB("POST", `/api/sessions/${id}/send/`, { content: "What is 2 + 3?" });
    assert.equal(sent.status, 200);
    await Promise.all([onA.waitFor(isRunEnd), onB.waitFor(isRunEnd)]);

    const events = onA.events();
    assert.deepEqual(
      events.map((f) => f.seq),
      events.map((_, i) => i + 1),
      "strictly increasing, no gap",
    );
    assert.deepEqual(
      events.filter((f) => f.event !== "agent_token").map((f) => f.event),
      RUN_EVENTS,
    );
    assert.deepEqual(onA.raw.slice(1), onB.raw.slice(1), "both instances send the very same frames");
    assert.deepEqual(events[1].payload!.message, sent.json[0]);
    // Every token crossed: each agent's tokens add up to its stored message.
    for (const turn of events.filter((f) => f.event === "agent_turn")) {
      const tokens = events.filter(
        (f) => f.event === "agent_token" && f.payload!.message_id === turn.payload!.message_id,
      );
      assert.ok(tokens.length > 0);
      assert.equal(tokens.map((t) => t.payload!.delta).join(""), turn.payload!.content);
    }
    // A session change made through A reaches B's client too, numbered on.
    await apiA("PATCH", `/api/sessions/${id}/`, { title: "Renamed on A" });
    const renamed = await onB.waitFor((f) => f.event === "session_updated");
    assert.equal(renamed.payload!.session.title, "Renamed on A");
    assert.equal(renamed.seq, events.length + 1);
    await Promise.all([onA.close(), onB.close()]);
  });

  test("replay with `since` works on the other instance, then live frames follow with no gap", async () => {
    const apiA = apiClient(a.url);
    // Titled: an untitled chat is named after its first run, an event that could land either side of the cut.
    const id = (await apiA("POST", "/api/sessions/", { title: "replay" })).json.session_id as string;
    const watcher = await ChatClient.connect(`${a.wsUrl}/ws/chat/${id}/`);
    await apiA("POST", `/api/sessions/${id}/send/`, { content: "first" });
    await watcher.waitFor(isRunEnd);
    const cut = watcher.events()[5].seq!;
    const last = watcher.events().at(-1)!.seq!;

    const late = await ChatClient.connect(`${b.wsUrl}/ws/chat/${id}/?since=${cut}`);
    assert.equal(late.frames[0].seq, last, "`connected` carries the session's latest seq");
    await late.waitFor((f) => f.event !== "connected" && f.seq === last);
    assert.deepEqual(
      late.events(),
      watcher.events().filter((f) => f.seq! > cut),
    );

    await apiClient(b.url)("POST", `/api/sessions/${id}/send/`, { content: "second" });
    await watcher.waitFor((f) => isRunEnd(f) && f.seq! > last);
    await late.waitFor((f) => isRunEnd(f) && f.seq! > last);
    const seqs = late.events().map((f) => f.seq!);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => cut + 1 + i),
      "no gap, no duplicate",
    );
    assert.deepEqual(
      late.raw.slice(1),
      watcher.raw.slice(1).filter((r) => (JSON.parse(r) as Frame).seq! > cut),
    );

    // A since older than what Redis keeps, or one never issued, gets `resync` with the seq.
    const direct = new Redis(TEST_REDIS_URL);
    await direct.xtrim(`${prefix}events:{${id}}`, "MAXLEN", 3);
    await direct.quit();
    const current = seqs.at(-1)!;
    for (const since of [1, 999_999]) {
      const client = await ChatClient.connect(`${a.wsUrl}/ws/chat/${id}/?since=${since}`);
      const resync = await client.waitFor((f) => f.event === "resync");
      assert.equal(resync.payload!.seq, current);
      assert.deepEqual(
        client.events().map((f) => f.event),
        ["resync"],
        "nothing replayed",
      );
      await client.close();
    }
    await Promise.all([watcher.close(), late.close()]);
  });
});

describe("Redis outage", { skip }, () => {
  let redis: RedisServer | null;
  let a: TandemServer;
  let b: TandemServer;
  let stop: () => Promise<void>;
  before(async () => {
    redis = await startRedisServer();
    if (!redis) return;
    ({ a, b, stop } = await twoInstances("outage", redis.url));
  });
  after(async () => {
    await stop?.();
    await redis?.kill();
  });

  test("REST and local clients keep working while Redis is away; after it returns, fan-out resumes", async (t) => {
    if (!redis) return t.skip("redis-server is not installed");
    const apiA = apiClient(a.url);
    const apiB = apiClient(b.url);
    const id = (await apiA("POST", "/api/sessions/", {})).json.session_id as string;
    const onA = await ChatClient.connect(`${a.wsUrl}/ws/chat/${id}/`);
    const onB = await ChatClient.connect(`${b.wsUrl}/ws/chat/${id}/`);
    await apiB("PATCH", `/api/sessions/${id}/`, { title: "before" });
    await onA.waitFor((f) => f.event === "session_updated");

    await redis.kill();
    const sent = await apiB("POST", `/api/sessions/${id}/send/`, { content: "What is 2 + 3?" });
    assert.equal(sent.status, 200, "a run completes without Redis");
    assert.equal((await apiA("GET", `/api/sessions/${id}/history/`)).status, 200);
    await onB.waitFor(isRunEnd);
    const local = onB.events().slice(1);
    assert.deepEqual(
      local.filter((f) => f.event !== "agent_token").map((f) => f.event),
      RUN_EVENTS,
      "B's client saw the whole run",
    );
    assert.deepEqual(
      local.map((f) => f.seq),
      local.map((_, i) => i + 2),
      "numbered on, in order",
    );
    assert.ok(!onA.events().some((f) => f.event === "run_started"), "A could not hear of it");
    for (const server of [a, b]) {
      await server.logEntry((l) => /Redis is unreachable/.test(l.msg));
      const warnings = server.output().match(/Redis is unreachable/g) ?? [];
      assert.equal(warnings.length, 1, `logged once:\n${server.output()}`);
    }

    await redis.restart();
    // Each open channel is told to resync (REST) and follows Redis's numbering from then on.
    const [resyncA, resyncB] = await Promise.all([onA, onB].map((c) => c.waitFor((f) => f.event === "resync", 20_000)));
    assert.equal(resyncA.payload!.seq, 0, "the restarted Redis is empty");
    assert.equal(resyncB.payload!.seq, 0);

    const seen = onA.events().length;
    const again = await apiB("POST", `/api/sessions/${id}/send/`, { content: "What is 3 + 4?" });
    assert.equal(again.status, 200);
    await onA.waitFor((f) => isRunEnd(f) && f.seq !== undefined && onA.events().indexOf(f) >= seen);
    const resumed = onA.events().slice(seen);
    assert.deepEqual(
      resumed.filter((f) => f.event !== "agent_token").map((f) => f.event),
      RUN_EVENTS,
      "A sees B's run again",
    );
    assert.deepEqual(
      resumed.map((f) => f.seq),
      resumed.map((_, i) => i + 1),
    );
    await onB.waitFor((f) => isRunEnd(f) && f.seq === resumed.at(-1)!.seq);
    await Promise.all([onA.close(), onB.close()]);
  });
});

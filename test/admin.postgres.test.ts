/**
 * The admin's provider-specific SQL on PostgreSQL: the dashboard's per-day GROUP BYs, the runs'
 * agent filter (jsonb containment), case-insensitive search (ILIKE) and the throttled login.
 * Skipped when PostgreSQL is unreachable, unless TANDEM_REQUIRE_SERVICES=1.
 *
 *   node --import tsx --test test/admin.postgres.test.ts
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { freshPostgresUrl, requireServices, TEST_PG_URL } from "./support/databases";

const fresh = await freshPostgresUrl("admin");
if (!fresh && requireServices()) throw new Error(`PostgreSQL unreachable at ${TEST_PG_URL}`);

test("admin queries on PostgreSQL", { skip: fresh ? false : `PostgreSQL unreachable at ${TEST_PG_URL}` }, async () => {
  process.env.DATABASE_URL = fresh!.url;
  process.env.LOG_LEVEL = "silent";
  const { deployMigrations } = await import("@/lib/db/migrate");
  await deployMigrations(fresh!.url);
  const { seedDefaults } = await import("@/lib/agents/seed");
  await seedDefaults();
  const data = {
    ...(await import("@/lib/db/agents")),
    ...(await import("@/lib/db/connection")),
    ...(await import("@/lib/db/dashboard")),
    ...(await import("@/lib/db/messages")),
    ...(await import("@/lib/db/runs")),
    ...(await import("@/lib/db/sessions")),
  };
  const auth = await import("@/lib/admin/auth");

  const { createSession } = await import("@/lib/sessions/index");
  const session = await createSession({ title: "Quarterly PG Review", userId: "u1" });
  await data.db().runLog.create({
    data: {
      sessionId: session.id,
      status: "success",
      extra: { agents: [{ agent: "researcher" }, { agent: "writer" }] },
    },
  });
  await data
    .db()
    .runLog.create({ data: { sessionId: session.id, status: "error", extra: { agents: [{ agent: "writer" }] } } });
  const [researcher] = await data.listAgents();
  await data.db().message.create({
    data: {
      sessionId: session.id,
      role: "agent",
      agentId: researcher.id,
      content: "Hello from PostgreSQL",
      tokensPrompt: 5,
      tokensCompletion: 7,
      latencyMs: 120,
    },
  });
  const since = new Date(Date.now() - 86_400_000);
  const today = new Date().toISOString().slice(0, 10);

  assert.deepEqual(
    (await data.runsPerDay(since)).sort((a, b) => a.status.localeCompare(b.status)),
    [
      { day: today, status: "error", count: 1 },
      { day: today, status: "success", count: 1 },
    ],
  );
  assert.deepEqual(await data.agentStatsPerDay(since), [
    { day: today, agentId: researcher.id, messages: 1, avgLatencyMs: 120, tokens: 12 },
  ]);
  assert.equal((await data.listRunsPage({ agent: "researcher", limit: 10, offset: 0 })).total, 1);
  assert.equal((await data.listRunsPage({ agent: "writer", limit: 10, offset: 0 })).total, 2);
  assert.equal(
    (await data.listRunsPage({ agent: "writer", status: "error", session: session.sessionId, limit: 10, offset: 0 }))
      .total,
    1,
  );
  assert.equal((await data.listSessionsPage({ q: "pg review", limit: 10, offset: 0 })).total, 1);
  assert.equal((await data.listMessagesPage({ q: "HELLO FROM", limit: 10, offset: 0 })).total, 1);

  await auth.createAdmin({ username: "pgadmin", password: "a long passphrase" });
  for (let i = 0; i < 5; i++)
    await auth.login({ username: "pgadmin", password: `wrong ${i}`, clientAddress: "10.1.1.1" });
  const blocked = await auth.login({ username: "pgadmin", password: "a long passphrase", clientAddress: "10.1.1.1" });
  assert.ok(!blocked.ok && /Too many failed sign-in attempts/.test(blocked.error));
  const ok = await auth.login({ username: "pgadmin", password: "a long passphrase", clientAddress: "10.1.1.2" });
  assert.ok(ok.ok);
  assert.equal((await auth.sessionFromCookie(ok.cookieValue))?.username, "pgadmin");
  await data.disconnectDb();
});

after(async () => {
  await fresh?.drop();
});

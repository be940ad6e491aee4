/**
 * Plain SQL on the ORM's connections (lib/db/sql.ts), on each database: a row written by plain
 * SQL reads back through the ORM as the ORM would have written it (dates, JSON, nulls), a run's
 * hot-path writes read back alike, and on SQLite's one connection a statement outside a
 * transaction never joins another's open transaction (where a rollback would take it along).
 * In-process, on a fresh database per file.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

type Setup = () => Promise<{ url: string; drop?: () => Promise<void> } | null>;

export function defineSqlSuite(provider: "sqlite" | "postgres", setup: Setup) {
  describe(`plain SQL beside the ORM (${provider})`, async () => {
    const database = await setup();
    const skip = database ? false : `${provider} unreachable`;
    let lib: {
      db: typeof import("@/lib/db/connection");
      messages: typeof import("@/lib/db/messages");
      runs: typeof import("@/lib/db/runs");
      sessions: typeof import("@/lib/sessions/index");
      turns: typeof import("@/lib/db/turns");
    };
    let sessionPk = 0;

    before(async () => {
      if (!database) return;
      process.env.DATABASE_URL = database.url;
      process.env.LOG_LEVEL = "silent";
      const { deployMigrations } = await import("@/lib/db/migrate");
      await deployMigrations(database.url);
      lib = {
        db: await import("@/lib/db/connection"),
        messages: await import("@/lib/db/messages"),
        runs: await import("@/lib/db/runs"),
        sessions: await import("@/lib/sessions/index"),
        turns: await import("@/lib/db/turns"),
      };
      await lib.db.dbReady();
      const { seedDefaults } = await import("@/lib/agents/seed");
      await seedDefaults();
      sessionPk = (await lib.sessions.createSession({ title: "plain SQL" })).id;
    });
    after(async () => {
      if (!database) return;
      await lib.db.disconnectDb();
      await database.drop?.();
    });

    test("a message written by plain SQL reads back through the ORM as written", { skip }, async () => {
      const agent = await lib.db.db().agent.findFirstOrThrow();
      const written = await lib.messages.createMessage({
        sessionPk,
        role: "tool",
        agent,
        content: "calculator: 2+2 → 4",
        toolName: "calculator",
        toolInput: { expression: "2+2" },
        toolOutput: "a JSON string, not an object",
        latencyMs: 3,
        metadata: { run_id: null, nested: { list: [1, "two", true] } },
      });
      const read = await lib.db.db().message.findUniqueOrThrow({ where: { id: written.id }, include: { agent: true } });
      assert.deepEqual(read, written);
      assert.ok(Math.abs(read.createdAt.getTime() - Date.now()) < 60_000, "stored in UTC");
      const session = await lib.db.db().chatSession.findUniqueOrThrow({ where: { id: sessionPk } });
      assert.equal(session.lastMessageAt.getTime(), written.createdAt.getTime(), "the session's last activity moved");

      const updated = await lib.messages.updateMessage(written.id, {
        agent,
        content: "changed",
        tokensPrompt: null,
        tokensCompletion: 7,
        latencyMs: 4,
        metadata: null,
      });
      assert.deepEqual(
        await lib.db.db().message.findUniqueOrThrow({ where: { id: written.id }, include: { agent: true } }),
        updated,
      );
      assert.equal(updated.metadata, null, "null JSON is SQL NULL, as the ORM stores it");
    });

    test("a run opened and ended by plain SQL reads back through the ORM", { skip }, async () => {
      const opened = await lib.runs.openRun({
        sessionPk,
        kind: "send",
        content: "What is 2 + 2?",
        instanceId: "test",
        leaseMs: 30_000,
        queueLimit: 5,
      });
      assert.equal(opened.position, 0);
      const orm = await lib.db.db().runLog.findUniqueOrThrow({ where: { id: opened.run.id } });
      assert.deepEqual(orm, opened.run);
      assert.equal(orm.status, "running");
      const session = await lib.db.db().chatSession.findUniqueOrThrow({ where: { id: sessionPk } });
      assert.equal(session.activeRunId, opened.run.id);
      assert.equal(session.headRunId, opened.run.id);

      const queued = await lib.runs.openRun({
        sessionPk,
        kind: "send",
        content: "And 3 + 3?",
        instanceId: "test",
        leaseMs: 30_000,
        queueLimit: 5,
      });
      assert.equal(queued.position, 1);
      assert.deepEqual(await lib.db.db().runLog.findUniqueOrThrow({ where: { id: queued.run.id } }), queued.run);

      const ended = await lib.runs.finishRun({
        runId: opened.run.id,
        sessionPk,
        status: "success",
        details: "Completed.",
        extra: { duration_ms: 5, messages: [opened.message.id] },
      });
      assert.deepEqual(ended, { changed: true });
      const done = await lib.db.db().runLog.findUniqueOrThrow({ where: { id: opened.run.id } });
      assert.equal(done.status, "success");
      assert.deepEqual(done.extra, { duration_ms: 5, messages: [opened.message.id] });
      assert.equal(done.leaseExpiresAt, null);
      const next = await lib.runs.startNextQueued({ sessionPk, instanceId: "test", leaseMs: 30_000 });
      assert.equal(next?.run.id, queued.run.id);
      assert.equal(next?.run.parentRunId, opened.run.id, "a send hangs below the path's end");
      await lib.runs.finishRun({ runId: queued.run.id, sessionPk, status: "success", details: "", extra: {} });
    });

    test("the context window and the path's end, read in SQL, follow the active path of a tree of versions", {
      skip,
    }, async () => {
      const pk = (await lib.sessions.createSession({ title: "versions" })).id;
      const agent = await lib.db.db().agent.findFirstOrThrow();
      const common = { sessionPk: pk, instanceId: "test", leaseMs: 30_000, queueLimit: 5 };
      /** A run that answers and ends; returns its id and its user message's. */
      const turn = async (spec: {
        kind: "send" | "regenerate";
        content?: string;
        userMessageId?: number;
        parentRunId?: number;
      }) => {
        const { run, message } = await lib.runs.openRun({ ...common, ...spec });
        await lib.messages.createMessage({ sessionPk: pk, runId: run.id, role: "tool", agent, content: "a tool call" });
        await lib.messages.createMessage({
          sessionPk: pk,
          runId: run.id,
          role: "agent",
          agent,
          content: `answer ${run.id}`,
        });
        await lib.runs.finishRun({ runId: run.id, sessionPk: pk, status: "success", details: "", extra: {} });
        return { runId: run.id, userMessageId: message.id };
      };
      /** The in-memory rule (history's): the active path's user and agent messages, newest first. */
      const reference = async (limit: number) => {
        const path = lib.turns.activePath(await lib.turns.loadRunTree(pk));
        const all = await lib.db.db().message.findMany({
          where: { sessionId: pk, role: { in: ["user", "agent"] } },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        });
        const onPath = (m: { id: number; runId: number | null }) =>
          m.runId === null || path.some((r) => r.id === m.runId || r.userMessageId === m.id);
        return {
          end: path.at(-1)?.id ?? null,
          ids: all
            .filter(onPath)
            .slice(0, limit)
            .map((m) => m.id),
        };
      };
      const check = async (what: string) => {
        const expected = await reference(50);
        assert.equal(await lib.turns.pathEnd(pk), expected.end, `${what}: the path's end`);
        assert.deepEqual(
          (await lib.turns.pathContext(pk, 50)).map((m) => m.id),
          expected.ids,
          `${what}: the context window`,
        );
        for (const limit of [16, 3]) {
          assert.deepEqual(
            (await lib.turns.pathContext(pk, limit)).map((m) => m.id),
            expected.ids.slice(0, limit),
            `${what}: a window of ${limit}`,
          );
        }
      };

      await check("no runs yet");
      await lib.messages.createMessage({ sessionPk: pk, role: "user", content: "from before runs were recorded" });
      // Ten turns before the fork: a window of 16 then reads the path in more than one page.
      for (let i = 0; i < 10; i++) await turn({ kind: "send", content: `earlier ${i}` });
      const first = await turn({ kind: "send", content: "first" });
      const second = await turn({ kind: "send", content: "second" });
      await check("two turns");
      // Another answer to the second message: a sibling version, which becomes the head.
      const again = await turn({ kind: "regenerate", userMessageId: second.userMessageId, parentRunId: first.runId });
      await check("the regenerated version");
      const third = await turn({ kind: "send", content: "third, below the new version" });
      assert.equal(
        (await lib.db.db().runLog.findUniqueOrThrow({ where: { id: third.runId } })).parentRunId,
        again.runId,
      );
      // Six more turns on the new version's branch: more messages off the old path than a page holds.
      let last = third;
      for (let i = 0; i < 6; i++) last = await turn({ kind: "send", content: `more ${i}` });
      await check("a longer branch");
      // Back to the first version: its branch has none of these turns, and the path ends there.
      await lib.db.db().chatSession.update({ where: { id: pk }, data: { headRunId: second.runId } });
      await check("the first version chosen again");
      // The head at the fork below which the newest branch continues: the path descends to its end.
      await lib.db.db().chatSession.update({ where: { id: pk }, data: { headRunId: first.runId } });
      await check("the head above a fork");
      assert.equal(await lib.turns.pathEnd(pk), last.runId);
    });

    test("search indexes a message once it is finished: never its partial saves, always its final text", {
      skip,
    }, async () => {
      const { searchMessages } = await import("@/lib/db/search");
      const agent = await lib.db.db().agent.findFirstOrThrow();
      const session = await lib.sessions.createSession({ title: "search while streaming" });
      const found = async (word: string) =>
        (await searchMessages(word, { limit: 10, offset: 0 })).hits.map((h) => h.messageId);
      const streaming = (text: string) =>
        lib.messages.createMessage({
          sessionPk: session.id,
          role: "agent",
          agent,
          content: text,
          metadata: { streaming: true },
        });

      const answered = await streaming("");
      const alongside = await streaming("");
      await lib.messages.saveMessageTexts(new Map([[answered.id, "zanzibar halfway"]]));
      // One write for every streaming message of an instance.
      await lib.messages.saveMessageTexts(
        new Map([
          [answered.id, "zanzibar halfway there"],
          [alongside.id, "alongside so far"],
        ]),
      );
      const saved = await lib.db
        .db()
        .message.findMany({ where: { id: { in: [answered.id, alongside.id] } }, orderBy: { id: "asc" } });
      assert.deepEqual(
        saved.map((m) => m.content),
        ["zanzibar halfway there", "alongside so far"],
      );
      assert.deepEqual(await found("zanzibar"), [], "a partial save is not indexed");
      await lib.messages.updateMessage(answered.id, { agent, content: "zanzibar complete", metadata: { model: "m" } });
      assert.deepEqual(await found("zanzibar"), [answered.id], "finished: found by its final text");
      assert.deepEqual(await found("halfway"), []);
      await lib.messages.updateMessage(answered.id, { agent, content: "quokka edited", metadata: { model: "m" } });
      assert.deepEqual(await found("zanzibar"), [], "a finished message's new text replaces the old in the index");
      assert.deepEqual(await found("quokka"), [answered.id]);

      // A run that died mid-message: marking it interrupted finishes it, with the text it had.
      const cut = await streaming("");
      await lib.messages.saveMessageTexts(new Map([[cut.id, "wombat interrupted"]]));
      assert.deepEqual(await found("wombat"), []);
      await lib.messages.markInterruptedMessages(session.id, new Date(0));
      assert.deepEqual(await found("wombat"), [cut.id]);

      // With accounts, a person searches only the sessions they own.
      await lib.db.db().user.create({ data: { id: "search-owner", name: "Owner", email: "search-owner@example.com" } });
      await lib.db.db().chatSession.update({ where: { id: session.id }, data: { ownerId: "search-owner" } });
      const owned = (ownerId: string) => searchMessages("wombat", { limit: 10, offset: 0, ownerId });
      const mine = await owned("search-owner");
      assert.deepEqual(
        mine.hits.map((h) => h.messageId),
        [cut.id],
      );
      assert.equal(mine.total, 1);
      assert.deepEqual(await owned("someone-else"), { hits: [], total: 0 });

      // Deleting a streaming message and a finished one leaves the index consistent.
      const dropped = await streaming("platypus");
      await lib.db.db().message.deleteMany({ where: { id: { in: [dropped.id, answered.id] } } });
      assert.deepEqual(await found("quokka"), []);
      if (provider === "sqlite") {
        // rank 1: the index is checked against its content (the view of finished messages) too.
        await lib.db.db().$executeRawUnsafe(`INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1)`);
        await lib.db.db().$executeRawUnsafe(`INSERT INTO message_fts(message_fts) VALUES ('rebuild')`);
        assert.deepEqual(await found("wombat"), [cut.id], "a rebuild indexes what the triggers indexed");
        assert.deepEqual(await found("platypus"), []);
      } else {
        // The table of stored vectors holds finished messages only, and a match can use its index.
        const streamingAgain = await streaming("");
        await lib.messages.saveMessageTexts(new Map([[streamingAgain.id, "numbat partial"]]));
        const indexed = await lib.db
          .db()
          .$queryRawUnsafe<{ message_id: number }[]>(
            "SELECT message_id FROM message_search WHERE message_id = ANY($1::int[]) ORDER BY message_id",
            [cut.id, streamingAgain.id, dropped.id, answered.id],
          );
        assert.deepEqual(
          indexed.map((r) => Number(r.message_id)),
          [cut.id],
          "only the finished message that is left",
        );
        const plan = await lib.db
          .db()
          .$transaction([
            lib.db.db().$executeRawUnsafe("SET LOCAL enable_seqscan = off"),
            lib.db
              .db()
              .$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
                "EXPLAIN SELECT message_id FROM message_search WHERE vector @@ to_tsquery('simple', 'wombat:*')",
              ),
          ]);
        assert.match(plan[1].map((r) => r["QUERY PLAN"]).join("\n"), /message_search_idx/);
      }
    });

    // PostgreSQL gives each transaction its own pooled connection; SQLite has one for everything.
    if (provider !== "sqlite") return;

    test("SQLite: the ORM's write outside a transaction waits for plain SQL's open one, and survives its rollback", {
      skip,
    }, async () => {
      const doomed = await lib.sessions.createSession({ title: "doomed" });
      let inside!: () => void;
      const opened = new Promise<void>((resolve) => (inside = resolve));
      const rolledBack = lib.db
        .sql()
        .transaction(async (tx) => {
          await tx.run("UPDATE chat_session SET title = ? WHERE id = ?", ["inside", sessionPk]);
          inside();
          await new Promise((r) => setTimeout(r, 100));
          throw new Error("roll back");
        })
        .catch((e: Error) => e.message);
      await opened;
      // Sent while the transaction is open: on one connection it would have joined it.
      await lib.db.db().chatSession.deleteMany({ where: { id: doomed.id } });
      assert.equal(await rolledBack, "roll back");
      assert.equal(await lib.db.db().chatSession.count({ where: { id: doomed.id } }), 0, "the delete stayed");
      const title = (await lib.db.db().chatSession.findUniqueOrThrow({ where: { id: sessionPk } })).title;
      assert.equal(title, "plain SQL", "the transaction's own write was rolled back");
    });

    test("SQLite: plain SQL outside a transaction waits for the ORM's open one, and survives its rollback", {
      skip,
    }, async () => {
      const message = await lib.messages.createMessage({ sessionPk, role: "user", content: "before" });
      let inside!: () => void;
      const opened = new Promise<void>((resolve) => (inside = resolve));
      const rolledBack = lib.db
        .db()
        .$transaction(async (tx) => {
          await tx.chatSession.update({ where: { id: sessionPk }, data: { title: "inside" } });
          inside();
          await new Promise((r) => setTimeout(r, 100));
          throw new Error("roll back");
        })
        .catch((e: Error) => e.message);
      await opened;
      await lib.db.sql().run("UPDATE message SET content = ? WHERE id = ?", ["after", message.id]);
      assert.equal(await rolledBack, "roll back");
      const read = await lib.db.db().message.findUniqueOrThrow({ where: { id: message.id } });
      assert.equal(read.content, "after", "the text write stayed");
    });
  });
}

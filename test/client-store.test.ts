/**
 * The conversation store (lib/client/conversation.ts) with a fake socket and a fake REST client,
 * fed the recorded logs: the wiring of socket, sequencer, reducer and commands. No browser, no server.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "@/lib/client/api";
import { type ConversationOptions, ConversationStore, FOLD_PREF_KEY } from "@/lib/client/conversation";
import type { ChatSocketOptions } from "@/lib/client/socket";
import type { ChatEvent, Message, SendAccepted, SessionState, Turn } from "@/lib/contract/types";
import {
  broadcasts,
  type Fixture,
  failedTurn,
  fixture,
  idleState,
  isToken,
  partialHistory,
  textAt,
  withOffsets,
} from "./support/client-fixtures";

const settle = () => new Promise((resolve) => setImmediate(resolve));

interface Snapshot {
  history: Message[];
  state: SessionState;
}

/** A REST snapshot the test answers when it likes. */
function deferred() {
  let answer!: (s: Snapshot | Error) => void;
  const promise = new Promise<Snapshot>(
    (resolve, reject) => (answer = (s) => (s instanceof Error ? reject(s) : resolve(s))),
  );
  return { promise, answer };
}

class Harness {
  readonly store: ConversationStore;
  socket!: ChatSocketOptions;
  socketStopped = false;
  reconnects = 0;
  /** Snapshots asked for, in order; each is answered by the test (or by `autoSnapshot`). */
  readonly snapshots: ReturnType<typeof deferred>[] = [];
  autoSnapshot: Snapshot | null = null;
  readonly sent: string[] = [];
  sendAnswer: () => Promise<SendAccepted>;
  cancelAnswer: () => Promise<{ run_id: number; status: string }> = async () => ({ run_id: 0, status: "cancelled" });
  readonly announced: string[] = [];
  runsEnded = 0;
  /** The times of the messages the sidebar was told of. */
  stored: string[] = [];
  deleted: string[] = [];
  updated: string[] = [];
  rateAnswer: (id: number, rating: Message["rating"]) => Promise<Message> = async (id, rating) => ({
    ...this.view.items.find((m) => m.id === id)!,
    rating,
  });
  readonly prefs = new Map<string, string>();
  readonly reruns: string[] = [];
  turns: Turn[] = [];
  turnsAnswer: () => Promise<Turn[]> = async () => this.turns;

  constructor(readonly f: Fixture) {
    this.sendAnswer = async () => f.send;
    const api: ConversationOptions["api"] = {
      history: () => {
        const d = deferred();
        this.snapshots.push(d);
        if (this.autoSnapshot) d.answer(this.autoSnapshot);
        return d.promise.then((s) => s.history);
      },
      state: () => this.snapshots.at(-1)!.promise.then((s) => s.state),
      send: async (_id, content) => {
        this.sent.push(content);
        return this.sendAnswer();
      },
      cancel: () => this.cancelAnswer(),
      renameSession: async (_id, title) => ({ ...f.send.message, session_id: f.session_id, title }) as never,
      rateMessage: (id, rating) => this.rateAnswer(id, rating),
      turns: () => this.turnsAnswer(),
      queue: async () => [],
      editQueued: async () => undefined,
      removeQueued: async () => undefined,
      rerun: async (_id, action, runId) => {
        this.reruns.push(`${action} ${runId}`);
        return { run_id: runId + 1, message: f.send.message, status: "running" };
      },
      edit: async (_id, messageId, content) => {
        this.reruns.push(`edit ${messageId} ${content}`);
        return { run_id: 1, message: f.send.message, status: "running" };
      },
      select: async (_id, runId) => {
        this.reruns.push(`select ${runId}`);
        return { head_run_id: runId };
      },
    };
    this.store = new ConversationStore(f.session_id, {
      api,
      connectGraceMs: 60_000,
      prefs: { getItem: (k) => this.prefs.get(k) ?? null, setItem: (k, v) => void this.prefs.set(k, v) },
      createSocket: (opts) => {
        this.socket = opts;
        return { start() {}, stop: () => void (this.socketStopped = true), reconnectNow: () => void this.reconnects++ };
      },
      onAnnounce: (t) => this.announced.push(t),
      onRunEnded: () => this.runsEnded++,
      onMessageStored: (at) => this.stored.push(at),
      onSessionDeleted: (id) => this.deleted.push(id),
      onSessionUpdated: (s) => this.updated.push(s.title),
    });
  }

  get view() {
    return this.store.getSnapshot();
  }

  connect(seq: number) {
    this.socket.onStatus?.({ status: "open", attempt: 0, nextRetryAt: null });
    this.socket.onFrame({ event: "connected", session_id: this.f.session_id, seq });
  }

  drop() {
    this.socket.onStatus?.({ status: "reconnecting", attempt: 1, nextRetryAt: null });
  }

  deliver(events: Array<ChatEvent | Record<string, unknown>>) {
    for (const e of events) this.socket.onFrame(JSON.parse(JSON.stringify(e)));
  }

  /** Opens the chat on a session with no messages yet. */
  async open(firstMessage?: string) {
    this.store.start(firstMessage);
    this.connect(0);
    this.snapshots[0].answer({ history: [], state: idleState(this.f) });
    await settle();
  }
}

function withStore(name: Parameters<typeof fixture>[0], body: (h: Harness, f: Fixture) => Promise<void>) {
  return async () => {
    const h = new Harness(fixture(name));
    try {
      await body(h, h.f);
    } finally {
      h.store.dispose();
    }
  };
}

describe("client store", () => {
  test(
    "a new chat: the first snapshot once connected, the first message sent then, the run live, the shell told",
    withStore("normal", async (h, f) => {
      h.store.start(f.send.message.content);
      assert.equal(h.snapshots.length, 0, "the first snapshot waits for the socket");
      h.connect(0);
      assert.equal(h.snapshots.length, 1);
      h.snapshots[0].answer({ history: [], state: idleState(f) });
      await settle();
      assert.deepEqual(h.sent, [f.send.message.content]);
      await settle();
      assert.equal(h.view.run?.id, f.send.run_id);
      assert.equal(h.view.title, f.send.message.content, "the chat is named after its first message");
      assert.deepEqual(h.updated, [h.view.title], "the sidebar learns the new title");
      h.deliver(broadcasts(f));
      assert.deepEqual(h.view.items, f.history);
      assert.equal(h.view.run, null);
      assert.equal(h.runsEnded, 1);
      assert.deepEqual(
        h.stored,
        broadcasts(f).flatMap((e: any) => (e.event === "message_created" ? [e.payload.message.created_at] : [])),
        "the sidebar hears of each stored message's time",
      );
      assert.ok(h.stored.length >= 3);
      assert.deepEqual(h.announced, ["Researcher replied.", "Writer replied.", "The agents are done."]);
      assert.equal(h.snapshots.length, 1, "no refetch");
    }),
  );

  test(
    "reconnect with replay: the socket resumes from the last seq and duplicates are dropped",
    withStore("tools", async (h, f) => {
      await h.open();
      await h.store.send(f.send.message.content);
      const events = broadcasts(f);
      h.deliver(events.slice(0, 20));
      h.drop();
      const since = h.socket.getSince!();
      assert.equal(since, events[19].seq);
      h.connect(events[25].seq);
      // The replay overlaps what was already applied (a client may see frames twice).
      h.deliver(events.slice(15));
      assert.deepEqual(h.view.items, f.history);
      assert.equal(h.snapshots.length, 1);
      assert.equal(h.runsEnded, 1);
    }),
  );

  test(
    "a resync frame: the snapshot, then the frames that arrived while it loaded",
    withStore("normal", async (h, f) => {
      await h.open();
      await h.store.send(f.send.message.content);
      const events = broadcasts(f);
      const mid = f.mid_run.frames_before - 1;
      h.deliver(events.slice(0, 2));
      h.deliver([{ event: "resync", payload: { reason: "replay window exceeded", seq: events[mid - 1].seq } }]);
      assert.equal(h.snapshots.length, 2);
      h.deliver(events.slice(mid));
      assert.equal(h.view.items.length, 1, "frames wait for the snapshot");
      h.snapshots[1].answer({ history: f.mid_run.history, state: f.mid_run.state });
      await settle();
      assert.deepEqual(h.view.items, f.history);
      assert.equal(h.view.run, null);
      assert.equal(h.runsEnded, 1);
    }),
  );

  test(
    "a gap in the seq numbers: refetch, and the frames after the gap follow the snapshot",
    withStore("tools", async (h, f) => {
      await h.open();
      const events = broadcasts(f);
      const mid = f.mid_run.frames_before - 1;
      // Another tab sent; this one lost a frame just before the mid-run snapshot.
      h.deliver([...events.slice(0, mid - 2), ...events.slice(mid - 1)]);
      assert.equal(h.snapshots.length, 2);
      h.snapshots[1].answer({ history: f.mid_run.history, state: f.mid_run.state });
      await settle();
      assert.deepEqual(h.view.items, f.history);
      assert.equal(h.view.run, null);
    }),
  );

  test(
    "the server restarted (connected below the last seq): refetch and follow the new numbering",
    withStore("error", async (h, f) => {
      await h.open();
      const events = broadcasts(f);
      h.deliver(events.slice(0, 5));
      assert.equal(h.view.run?.id, f.send.run_id);
      h.drop();
      h.connect(0);
      h.deliver([{ event: "resync", payload: { reason: "replay window exceeded", seq: 0 } }]);
      assert.equal(h.snapshots.length, 2, "one snapshot for the restart");
      h.snapshots[1].answer({ history: f.history, state: f.state });
      await settle();
      assert.deepEqual(h.view.items, f.history);
      assert.equal(h.view.run, null);
      const next = {
        event: "session_updated",
        payload: { session: { session_id: f.session_id, title: "Renamed", assignments: [] } },
        seq: 1,
      };
      h.deliver([next]);
      assert.equal(h.view.title, "Renamed");
      assert.deepEqual(h.updated, ["Renamed"]);
    }),
  );

  for (const offsets of [true, false]) {
    test(
      `a page opened mid-run on a server that saves partial text: buffered tokens are not doubled (${offsets ? "with" : "without"} offsets)`,
      withStore("normal", async (h, f) => {
        const events = offsets ? withOffsets(broadcasts(f)) : broadcasts(f);
        const researcherId = f.history[1].id;
        const tokens = events.filter((e) => isToken(e) && e.payload.message_id === researcherId);
        const connectedAt = tokens[2].seq;
        const savedUpTo = tokens[5].seq; // the snapshot was read after a few more tokens were saved
        const receivedUpTo = tokens[9].seq;
        h.store.start();
        h.connect(connectedAt);
        h.deliver(events.filter((e) => e.seq > connectedAt && e.seq <= receivedUpTo));
        h.snapshots[0].answer({ history: partialHistory(f, events, savedUpTo), state: f.mid_run.state });
        await settle();
        assert.equal(h.view.items[1].content, textAt(events, researcherId, receivedUpTo));
        assert.equal(h.view.items[1].metadata?.streaming, true);
        assert.equal(h.view.run?.id, f.send.run_id);
        h.deliver(events.filter((e) => e.seq > receivedUpTo));
        assert.deepEqual(h.view.items, f.history);
        assert.equal(h.snapshots.length, 1);
      }),
    );
  }

  test(
    "a failing socket does not hold the history back; once it connects, a second snapshot covers the meantime",
    withStore("normal", async (h, f) => {
      h.store.start();
      h.drop();
      assert.equal(h.snapshots.length, 1);
      h.snapshots[0].answer({ history: [], state: idleState(f) });
      await settle();
      assert.equal(h.view.phase, "ready");
      h.connect(f.frames.length - 1); // the run happened while the socket was away
      assert.equal(h.snapshots.length, 2);
      h.snapshots[1].answer({ history: f.history, state: f.state });
      await settle();
      assert.deepEqual(h.view.items, f.history);
    }),
  );

  test(
    "a session that does not exist: not found, and the socket stops",
    withStore("normal", async (h) => {
      h.store.start();
      h.connect(0);
      h.snapshots[0].answer(new ApiError("http", "Not found.", { status: 404 }));
      await settle();
      assert.equal(h.view.phase, "not_found");
      assert.equal(h.socketStopped, true);
    }),
  );

  test(
    "a failed load is shown; Retry now reconnects and refetches",
    withStore("normal", async (h, f) => {
      h.store.start();
      h.connect(0);
      h.snapshots[0].answer(new ApiError("network", "fetch failed"));
      await settle();
      assert.equal(h.view.loadError, "Can't reach the Tandem server.");
      assert.equal(h.view.phase, "loading");
      h.store.retryNow();
      assert.equal(h.reconnects, 1);
      assert.equal(h.snapshots.length, 2);
      h.snapshots[1].answer({ history: f.history, state: f.state });
      await settle();
      assert.equal(h.view.loadError, null);
      assert.deepEqual(h.view.items, f.history);
    }),
  );

  test(
    "sending while the agents work: the server queues it (the text may clear); a 409 from an older server keeps the text",
    withStore("normal", async (h, f) => {
      await h.open();
      h.deliver(broadcasts(f).slice(0, 4));
      h.sendAnswer = async () => ({
        run_id: 99,
        message: { ...f.send.message, id: 990, content: "and another thing" },
        status: "queued",
        position: 1,
      });
      assert.equal(await h.store.send("and another thing"), true);
      assert.deepEqual(h.sent, ["and another thing"]);
      assert.deepEqual(
        h.view.queue.map((q) => q.run_id),
        [99],
      );

      const idle = new Harness(f);
      try {
        await idle.open();
        idle.sendAnswer = async () => {
          throw new ApiError("http", "busy", { status: 409, body: { detail: "busy", run_id: f.send.run_id } });
        };
        assert.equal(await idle.store.send("hello"), false);
        assert.equal(idle.view.sendError?.kind, "conflict");
        assert.equal(idle.view.sendError?.content, "hello", "the draft is kept");
        assert.equal(idle.view.run?.id, f.send.run_id, "the run the server named shows as going");
      } finally {
        idle.store.dispose();
      }
    }),
  );

  test(
    "versions: regenerate, retry, continue, edit and select go to the server, then the view reloads",
    withStore("normal", async (h, f) => {
      await h.open();
      await h.store.send(f.send.message.content);
      h.deliver(broadcasts(f));
      const before = h.snapshots.length;
      await h.store.rerun("regenerate", f.send.run_id);
      await h.store.rerun("retry", f.send.run_id);
      await h.store.rerun("continue", f.send.run_id);
      h.store.startEdit(f.send.message.id);
      assert.equal(await h.store.edit(f.send.message.id, "  better question "), true);
      assert.equal(h.view.editing, null, "the edit box closes once the server took it");
      await h.store.select(f.send.run_id);
      assert.deepEqual(h.reruns, [
        `regenerate ${f.send.run_id}`,
        `retry ${f.send.run_id}`,
        `continue ${f.send.run_id}`,
        `edit ${f.send.message.id} better question`,
        `select ${f.send.run_id}`,
      ]);
      assert.ok(h.snapshots.length > before, "the history is read again");
    }),
  );

  test(
    "a run that fails at once: the turns read at its start, answered last, do not hide its failure",
    withStore("normal", async (h, f) => {
      await h.open();
      const reads: Array<(turns: Turn[]) => void> = [];
      h.turnsAnswer = () => new Promise((resolve) => reads.push(resolve));
      const events = broadcasts(f);
      const started = events.find((e) => e.event === "run_started")!;
      h.deliver([
        started,
        { event: "run_error", payload: { run_id: f.send.run_id, error: "HTTP 503" }, seq: started.seq + 1 },
      ]);
      assert.equal(reads.length, 2, "a read at the run's start and one at its end");
      const turn = failedTurn(f, "HTTP 503");
      reads[1]([turn]);
      await settle();
      reads[0]([{ ...turn, status: "running", error: null, ended_at: null }]);
      await settle();
      assert.equal(h.view.turns[0].status, "error");
      assert.equal(h.view.turns[0].error, "HTTP 503");
    }),
  );

  test(
    "another window switched versions (path_changed): the view reloads history and turns",
    withStore("normal", async (h, f) => {
      await h.open();
      const events = broadcasts(f);
      const before = h.snapshots.length;
      h.deliver([
        { event: "path_changed", payload: { session_id: f.session_id, head_run_id: 5 }, seq: events.length + 100 },
      ]);
      assert.ok(h.snapshots.length > before);
    }),
  );

  test(
    "cancel with the socket down: the run ends here once the server confirms",
    withStore("cancel", async (h, f) => {
      await h.open();
      await h.store.send(f.send.message.content);
      h.deliver(broadcasts(f).slice(0, 5));
      h.drop();
      h.cancelAnswer = async () => f.cancel!;
      await h.store.cancel();
      assert.equal(h.view.run, null);
      assert.equal(h.view.stopping, false);
      assert.equal(h.runsEnded, 1);
      assert.equal(h.announced.at(-1), "Stopped.");
    }),
  );

  test(
    "the session deleted in another tab: the socket stops and the shell forgets it",
    withStore("normal", async (h, f) => {
      await h.open();
      h.deliver([{ event: "session_deleted", payload: { session_id: f.session_id }, seq: 1 }]);
      assert.equal(h.view.phase, "deleted");
      assert.equal(h.socketStopped, true);
      assert.deepEqual(h.deleted, [f.session_id]);
    }),
  );

  test(
    "rating a turn: shown at once, kept when the server agrees, put back with a notice when it refuses",
    withStore("normal", async (h, f) => {
      await h.open();
      await h.store.send(f.send.message.content);
      h.deliver(broadcasts(f));
      const writer = h.view.items.find((m) => m.agent?.name === "writer")!;
      await h.store.rate(writer.id, "up");
      assert.equal(h.view.items.find((m) => m.id === writer.id)!.rating, "up");
      h.rateAnswer = async () => {
        throw new ApiError("http", "Only an agent's message can be rated.", { status: 400 });
      };
      const pending = h.store.rate(writer.id, "down");
      assert.equal(h.view.items.find((m) => m.id === writer.id)!.rating, "down", "shown before the server answers");
      await pending;
      assert.equal(h.view.items.find((m) => m.id === writer.id)!.rating, "up");
      assert.match(h.view.notices.at(-1)!.message, /Couldn't save your rating/);
    }),
  );

  test(
    "the reader's fold choice is remembered in the browser's storage and read back by the next view",
    withStore("normal", async (h) => {
      await h.open();
      assert.equal(h.view.fold.pref, null);
      h.store.toggleWork("u1", true);
      assert.equal(h.prefs.get(FOLD_PREF_KEY), "open");
      const next = new Harness(h.f);
      for (const [k, v] of h.prefs) next.prefs.set(k, v);
      try {
        await next.open();
        assert.equal(next.view.fold.pref, "open");
      } finally {
        next.store.dispose();
      }
    }),
  );

  test(
    "↑ edits the last message the person sent (not a guidance message), Esc-like cancel leaves editing",
    withStore("normal", async (h, f) => {
      await h.open();
      assert.equal(h.store.editLast(), false, "nothing to edit yet");
      await h.store.send(f.send.message.content);
      h.deliver(broadcasts(f));
      assert.equal(h.store.editLast(), true);
      assert.equal(h.view.editing, f.send.message.id);
      h.store.cancelEdit();
      assert.equal(h.view.editing, null);
    }),
  );
});

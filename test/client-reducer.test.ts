/**
 * The conversation reducer (lib/client/reducer.ts) fed recorded event logs: no browser, no server.
 * Run: npm test -- test/client-reducer.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ConversationEvent, type ConversationView, initialView, reduce } from "@/lib/client/reducer";
import { blockHas, groupTurns, workOpen, workSummary } from "@/lib/client/turns";
import type { Agent, ChatEvent, Message, Session } from "@/lib/contract/types";
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

const fold = (view: ConversationView, events: ConversationEvent[]) => events.reduce(reduce, view);

/** The view of an open chat with no messages yet. */
function opened(f: Fixture): ConversationView {
  return reduce(initialView(f.session_id), {
    event: "snapshot_loaded",
    history: [],
    state: idleState(f),
    buffered: [],
  });
}

/** The view after this tab sent the fixture's message and received every event. */
function sentHere(f: Fixture, events = broadcasts(f)): ConversationView {
  const sent = fold(opened(f), [
    { event: "send_started" },
    { event: "send_accepted", run_id: f.send.run_id, message: f.send.message },
  ]);
  return fold(sent, events);
}

/** The events up to (and including) the first one that passes `test`. */
function until(events: ChatEvent[], test: (e: ChatEvent) => boolean): ChatEvent[] {
  const i = events.findIndex(test);
  assert.ok(i >= 0, "the log has such an event");
  return events.slice(0, i + 1);
}

const keyOf = (view: ConversationView, test: (m: Message) => boolean) => view.keys[view.items.findIndex(test)];

function assertIdle(view: ConversationView) {
  assert.equal(view.run, null);
  assert.equal(view.activity, null);
  assert.equal(view.stopping, false);
  assert.equal(view.sending, false);
  assert.equal(new Set(view.keys).size, view.keys.length, "render keys are unique");
  assert.equal(view.keys.length, view.items.length);
}

describe("client reducer: recorded runs", () => {
  test("a normal run sent from this tab ends showing exactly the server's history", () => {
    const f = fixture("normal");
    const view = sentHere(f);
    assert.deepEqual(view.items, f.history);
    assertIdle(view);
    assert.equal(view.announcement?.text, "The agents are done.");
    assert.deepEqual(view.notices, []);
  });

  test("the researcher's typing bubble becomes its message and keeps its render key", () => {
    const f = fixture("normal");
    const events = broadcasts(f);
    const researcherId = f.history[1].id;
    const started = sentHere(
      f,
      until(events, (e) => e.event === "agent_started"),
    );
    assert.equal(started.run?.id, f.send.run_id);
    assert.deepEqual(started.activity, { phase: "thinking", agent: "researcher", role: "Research Analyst" });
    const typing = started.items.at(-1)!;
    assert.ok(typing.id < 0 && typing.metadata?.streaming && typing.content === "", "a typing placeholder");
    const key = started.keys.at(-1);

    const streaming = sentHere(
      f,
      until(events, (e) => isToken(e) && e.seq > 10),
    );
    const msg = streaming.items.find((m) => m.id === researcherId)!;
    assert.equal(msg.content, textAt(events, researcherId, 11));
    assert.equal(msg.metadata?.streaming, true);
    assert.equal(
      keyOf(streaming, (m) => m.id === researcherId),
      key,
    );
    assert.equal(streaming.activity?.phase, "writing");

    const done = sentHere(
      f,
      until(events, (e) => e.event === "agent_turn"),
    );
    assert.deepEqual(
      done.items.find((m) => m.id === researcherId),
      f.history[1],
    );
    assert.equal(
      keyOf(done, (m) => m.id === researcherId),
      key,
    );
    assert.equal(done.announcement?.text, "Researcher replied.");
    assert.equal(done.activity?.phase, "handoff");
  });

  test("a second tab's send arrives only as events and shows the same", () => {
    const f = fixture("normal");
    const view = fold(opened(f), broadcasts(f));
    assert.deepEqual(view.items, f.history);
    assertIdle(view);
    const running = fold(opened(f), broadcasts(f).slice(0, 2));
    assert.equal(running.run?.id, f.send.run_id, "the run shows as going");
    assert.equal(running.items[0].content, f.send.message.content);
  });

  test("the send's answer arriving after the run ended does not revive it", () => {
    const f = fixture("normal");
    const ran = fold(reduce(opened(f), { event: "send_started" }), broadcasts(f));
    const view = reduce(ran, { event: "send_accepted", run_id: f.send.run_id, message: f.send.message });
    assert.deepEqual(view.items, f.history);
    assertIdle(view);
  });

  test("tools: a pending card while the calculator runs, then the stored tool message in its place", () => {
    const f = fixture("tools");
    const events = broadcasts(f);
    const call = sentHere(
      f,
      until(events, (e) => e.event === "tool_call"),
    );
    assert.deepEqual(
      call.items.map((m) => [m.role, m.id < 0, m.metadata?.pending ?? null]),
      [
        ["user", false, null],
        ["tool", true, true],
        ["agent", true, null],
      ],
      "the card comes before the researcher's typing bubble, as in the history",
    );
    assert.deepEqual(call.activity, {
      phase: "tool",
      agent: "researcher",
      tool: "calculator",
      role: "Research Analyst",
    });
    const cardKey = call.keys[1];

    const stored = sentHere(
      f,
      until(events, (e) => e.event === "tool_result"),
    );
    const tool = f.history.find((m) => m.role === "tool")!;
    assert.deepEqual(stored.items[1], tool);
    assert.equal(stored.keys[1], cardKey);
    assert.equal(stored.items.length, 3);

    const view = sentHere(f);
    assert.deepEqual(view.items, f.history);
    assertIdle(view);
    assert.match(view.items.at(-1)!.content, /84/);
  });

  test("cancel: stopping while the run ends, then the researcher's partial text marked cancelled", () => {
    const f = fixture("cancel");
    const events = broadcasts(f);
    const before = events.slice(0, 4);
    const stopping = reduce(sentHere(f, before), { event: "cancel_requested" });
    assert.equal(stopping.stopping, true);
    assert.equal(stopping.activity?.phase, "stopping");
    // Tokens still arriving do not replace "Stopping…".
    const stillStopping = fold(stopping, events.slice(4).filter(isToken));
    assert.equal(stillStopping.activity?.phase, "stopping");

    const view = fold(stopping, events.slice(4));
    assert.deepEqual(view.items, f.history);
    assert.equal(view.items[1].metadata?.cancelled, true);
    assertIdle(view);
    assert.equal(view.announcement?.text, "Stopped.");
  });

  test("cancel with the socket down: the confirmed cancel ends the run here", () => {
    const f = fixture("cancel");
    const events = broadcasts(f);
    const running = reduce(
      reduce(sentHere(f, events.slice(0, 5)), {
        event: "socket",
        info: { status: "reconnecting", attempt: 1, nextRetryAt: null },
      }),
      {
        event: "cancel_requested",
      },
    );
    const view = reduce(running, { event: "cancel_confirmed", run_id: f.send.run_id });
    assertIdle(view);
    assert.equal(view.items[1].metadata?.cancelled, true, "the streaming text is marked as stopped");
    assert.equal(view.items[1].metadata?.streaming, false);
    // The event arriving later changes nothing.
    assert.deepEqual(fold(view, events.slice(-1)), view);
  });

  test("a failed cancel keeps the run and says so", () => {
    const f = fixture("cancel");
    const running = reduce(sentHere(f, broadcasts(f).slice(0, 5)), { event: "cancel_requested" });
    const view = reduce(running, {
      event: "cancel_failed",
      message: "Couldn't stop the agents: Can't reach the Tandem server. Try again.",
    });
    assert.equal(view.stopping, false);
    assert.equal(view.run?.id, f.send.run_id);
    assert.equal(view.activity?.phase, "thinking");
    assert.equal(view.notices.at(-1)?.message, "Couldn't stop the agents: Can't reach the Tandem server. Try again.");
  });

  test("error: the provider's failure is announced (its turn shows it, not a banner), the writer's empty bubble goes, the researcher's answer stays", () => {
    const f = fixture("error");
    const events = broadcasts(f);
    const writing = sentHere(f, events.slice(0, -1));
    assert.ok(
      writing.items.some((m) => m.id < 0 && m.agent?.name === "writer"),
      "the writer is typing",
    );
    const view = sentHere(f);
    assert.deepEqual(view.items, f.history);
    assertIdle(view);
    const error = (events.at(-1) as Extract<ChatEvent, { event: "run_error" }>).payload.error;
    assert.deepEqual(view.notices, []);
    assert.ok(error.endsWith("."));
    assert.equal(view.announcement?.text, `The run failed: ${error}`, "one full stop");
  });

  test("a send refused while the agents work keeps the text, and clears when the run ends", () => {
    const f = fixture("normal");
    const events = broadcasts(f);
    const running = sentHere(f, events.slice(0, 5));
    const refused = reduce(running, {
      event: "send_failed",
      error: { kind: "conflict", content: "next", message: "busy" },
      run_id: f.send.run_id,
    });
    assert.equal(refused.sendError?.content, "next");
    assert.equal(fold(refused, events.slice(5)).sendError, null);
  });

  test("every event applied twice changes nothing (replays are harmless)", () => {
    for (const name of ["normal", "tools", "cancel", "error"] as const) {
      const f = fixture(name);
      const once = sentHere(f);
      const twice = fold(once, broadcasts(f));
      assert.deepEqual(twice.items, once.items, name);
      assert.deepEqual(twice.keys, once.keys, name);
      assert.equal(twice.run, null, name);
    }
  });

  test("events of a newer server that this client does not know are ignored", () => {
    const f = fixture("normal");
    const view = opened(f);
    assert.equal(reduce(view, { event: "run_rewound", payload: { run_id: 9 }, seq: 1 } as unknown as ChatEvent), view);
  });
});

describe("client reducer: snapshots", () => {
  test("a snapshot taken mid-run keeps the run going and the following frames complete it", () => {
    const f = fixture("tools");
    const events = broadcasts(f);
    const mid = f.mid_run.frames_before - 1; // frames[0] is `connected`
    const loaded = reduce(initialView(f.session_id), {
      event: "snapshot_loaded",
      history: f.mid_run.history,
      state: f.mid_run.state,
      buffered: [],
    });
    assert.equal(loaded.phase, "ready");
    assert.equal(loaded.run?.id, f.send.run_id);
    assert.equal(loaded.activity?.phase, "thinking");
    const view = fold(loaded, events.slice(mid));
    assert.deepEqual(view.items, f.history);
    assertIdle(view);
  });

  test("a snapshot after the run ended: nothing streams, nothing is pending", () => {
    const f = fixture("normal");
    const stale = f.mid_run.history; // a streaming message, but the state says no run
    const view = reduce(initialView(f.session_id), {
      event: "snapshot_loaded",
      history: stale,
      state: idleState(f),
      buffered: [],
    });
    assertIdle(view);
    assert.equal(view.items[1].metadata?.streaming, false);
    assert.equal(view.items[1].metadata?.interrupted, true);
  });

  test("a resync keeps render keys and placeholders of the run still going", () => {
    const f = fixture("tools");
    const events = broadcasts(f);
    const view = sentHere(
      f,
      until(events, (e) => e.event === "tool_call"),
    );
    const resynced = reduce(view, {
      event: "snapshot_loaded",
      history: [f.send.message],
      state: f.mid_run.state,
      buffered: [],
    });
    assert.deepEqual(resynced.keys, view.keys);
    assert.deepEqual(resynced.items, view.items);
  });

  for (const offsets of [true, false]) {
    test(`a snapshot with partial text, then the buffered tokens: the text is never doubled (${offsets ? "with" : "without"} offsets)`, () => {
      const f = fixture("normal");
      const events = offsets ? withOffsets(broadcasts(f)) : broadcasts(f);
      const researcherId = f.history[1].id;
      const tokens = events.filter((e) => isToken(e) && e.payload.message_id === researcherId);
      const state = f.mid_run.state;
      // The snapshot saw the text up to token `k`; the buffer starts a few tokens earlier.
      for (const k of [tokens[3].seq, tokens[10].seq, tokens.at(-2)!.seq]) {
        for (const overlap of [0, 1, 3]) {
          const from = k - overlap;
          const buffered = events.filter((e) => e.seq > from);
          const throughToken = buffered.findIndex((e) => e.seq === tokens.at(-1)!.seq);
          const view = reduce(initialView(f.session_id), {
            event: "snapshot_loaded",
            history: partialHistory(f, events, k),
            state,
            buffered: buffered.slice(0, throughToken + 1),
          });
          const label = `snapshot at ${k}, buffer from ${from + 1}`;
          assert.equal(
            view.items.find((m) => m.id === researcherId)?.content,
            textAt(events, researcherId, tokens.at(-1)!.seq),
            label,
          );
          assert.equal(view.missingText, false, label);
          assert.deepEqual(fold(view, buffered.slice(throughToken + 1)).items, f.history, label);
        }
      }
    });
  }

  test("with offsets, a hole between the snapshot's text and the next token is noticed, and the next snapshot fills it", () => {
    const f = fixture("normal");
    const events = withOffsets(broadcasts(f));
    const researcherId = f.history[1].id;
    const tokens = events.filter((e) => isToken(e) && e.payload.message_id === researcherId);
    const [lagging, socketFrom, later] = [tokens[2].seq, tokens[6].seq, tokens[12].seq];
    const first = reduce(initialView(f.session_id), {
      event: "snapshot_loaded",
      history: partialHistory(f, events, lagging),
      state: f.mid_run.state,
      buffered: events.filter((e) => e.seq > socketFrom && e.seq <= later),
    });
    assert.equal(first.missingText, true);
    assert.equal(first.items[1].content, textAt(events, researcherId, lagging), "nothing is added past the hole");

    const second = reduce(first, {
      event: "snapshot_loaded",
      history: partialHistory(f, events, later + 2),
      state: f.mid_run.state,
      buffered: events.filter((e) => e.seq > later),
    });
    assert.equal(second.missingText, false);
    assert.deepEqual(second.items, f.history);
  });

  test("a snapshot without the streaming text (today's server) shows what the socket delivers after it", () => {
    const f = fixture("normal");
    const events = broadcasts(f);
    const researcherId = f.history[1].id;
    const from = f.mid_run.frames_before - 1;
    const buffered = events.slice(from, 20);
    const view = reduce(initialView(f.session_id), {
      event: "snapshot_loaded",
      history: f.mid_run.history,
      state: f.mid_run.state,
      buffered,
    });
    assert.equal(
      view.items[1].content,
      textAt(events, researcherId, buffered.at(-1)!.seq).slice(textAt(events, researcherId, from).length),
    );
    assert.deepEqual(
      fold(view, events.slice(20)).items,
      f.history,
      "the stored message replaces it at the end of the turn",
    );
  });

  test("a session that is gone: not found before it loaded, deleted after", () => {
    const f = fixture("normal");
    assert.equal(reduce(initialView(f.session_id), { event: "session_missing" }).phase, "not_found");
    assert.equal(reduce(opened(f), { event: "session_missing" }).phase, "deleted");
    const deleted = reduce(sentHere(f, broadcasts(f).slice(0, 5)), {
      event: "session_deleted",
      payload: { session_id: f.session_id },
      seq: 99,
    });
    assert.equal(deleted.phase, "deleted");
    assert.equal(deleted.run, null);
  });
});

describe("client reducer: session changes", () => {
  const at = "2026-12-05T10:00:00.000Z";
  const agentOf = (f: Fixture, name: string): Agent => f.history.find((m) => m.agent?.name === name)!.agent!;
  const assigned = (order: number, agent: Agent, prompt_override = "") => ({
    id: 100 + order,
    session: 1,
    agent,
    order,
    prompt_override,
    tools: [],
    created_at: at,
    updated_at: at,
  });
  const sessionOf = (f: Fixture, assignments: Session["assignments"]): Session => ({
    id: 1,
    session_id: f.session_id,
    title: "Bicycles",
    user_id: "",
    metadata: null,
    pinned: false,
    last_message_at: at,
    assignments,
    created_at: at,
    updated_at: at,
  });

  test("session_updated with a changed team: the header's team follows, in order", () => {
    const f = fixture("normal");
    const view = opened(f);
    assert.deepEqual(
      view.assignments.map((a) => a.agent),
      ["researcher", "writer"],
    );
    const critic: Agent = { ...agentOf(f, "writer"), id: 99, name: "critic", role: "Critic" };
    const session = sessionOf(f, [assigned(0, agentOf(f, "writer")), assigned(1, critic, "Be brief")]);
    const next = reduce(view, { event: "session_updated", payload: { session }, seq: 1 });
    assert.equal(next.title, "Bicycles");
    assert.deepEqual(next.assignments, [
      { order: 0, agent: "writer", role: "Technical Writer", prompt_override: false },
      { order: 1, agent: "critic", role: "Critic", prompt_override: true },
    ]);
    const emptied = reduce(next, { event: "session_updated", payload: { session: sessionOf(f, []) }, seq: 2 });
    assert.deepEqual(emptied.assignments, [], "a session left with no agents shows none");
  });

  test("another session's update changes nothing", () => {
    const f = fixture("normal");
    const view = opened(f);
    const other = { ...sessionOf(f, []), session_id: "someone-else" };
    assert.equal(reduce(view, { event: "session_updated", payload: { session: other }, seq: 1 }), view);
  });
});

describe("message actions and turns", () => {
  const agentMsg = (view: ConversationView, agent: string) =>
    view.items.find((m) => m.role === "agent" && m.agent?.name === agent)!;

  test("message_updated takes the server's copy of a shown message; one not shown stays out", () => {
    const f = fixture("normal");
    const view = sentHere(f);
    const writer = agentMsg(view, "writer");
    const rated = { ...writer, rating: "up" as const, updated_at: "2030-01-01T00:00:00.000Z" };
    const next = reduce(view, {
      event: "message_updated",
      payload: { message_id: writer.id, message: rated },
      seq: 99,
    });
    assert.equal(agentMsg(next, "writer").rating, "up");
    assert.deepEqual(next.keys, view.keys, "same place, same render key");
    const elsewhere = { ...rated, id: 424242 };
    assert.equal(
      reduce(next, { event: "message_updated", payload: { message_id: 424242, message: elsewhere }, seq: 100 }),
      next,
    );
  });

  test("a rating shows at once; a refused one goes back to what it was, with a notice", () => {
    const f = fixture("normal");
    const view = sentHere(f);
    const writer = agentMsg(view, "writer");
    const asked = reduce(view, { event: "rating_requested", message_id: writer.id, rating: "down" });
    assert.equal(agentMsg(asked, "writer").rating, "down");
    const failed = reduce(asked, {
      event: "rating_failed",
      message_id: writer.id,
      rating: null,
      message: "Couldn't save your rating: no.",
    });
    assert.equal(agentMsg(failed, "writer").rating ?? null, null);
    assert.deepEqual(
      failed.notices.map((n) => n.message),
      ["Couldn't save your rating: no."],
    );
    const saved = reduce(asked, { event: "rating_saved", message: { ...writer, rating: "down" } });
    assert.equal(agentMsg(saved, "writer").rating, "down");
  });

  test("fold choices: the remembered preference, and a turn's own choice which becomes the preference", () => {
    const view = sentHere(fixture("normal"));
    assert.deepEqual(view.fold, { pref: null, turns: {} });
    const loaded = reduce(view, { event: "fold_pref_loaded", pref: "open" });
    assert.equal(loaded.fold.pref, "open");
    const toggled = reduce(loaded, { event: "fold_toggled", turn: "u1", open: false });
    assert.deepEqual(toggled.fold, { pref: "closed", turns: { u1: false } });
  });

  test("editing: only a user message can be edited in place, and it can be cancelled", () => {
    const f = fixture("normal");
    const view = sentHere(f);
    const user = view.items.find((m) => m.role === "user")!;
    assert.equal(reduce(view, { event: "edit_started", message_id: agentMsg(view, "writer").id }).editing, null);
    const editing = reduce(view, { event: "edit_started", message_id: user.id });
    assert.equal(editing.editing, user.id);
    assert.equal(reduce(editing, { event: "edit_cancelled" }).editing, null);
  });

  test("a turn: the writer's answer is the hero, the researcher and the tool call fold above it", () => {
    const f = fixture("tools");
    const view = sentHere(f);
    const blocks = groupTurns(view.items, "writer", false);
    assert.equal(blocks.length, 2);
    assert.deepEqual(blocks[0], { kind: "message", index: 0 });
    const turn = blocks[1];
    assert.ok(turn.kind === "turn");
    assert.equal(turn.key, `u${view.items[0].id}`);
    assert.equal(view.items[turn.answer!].agent?.name, "writer");
    assert.deepEqual(
      turn.work.map((i) => [view.items[i].role, view.items[i].agent?.name]),
      [
        ["tool", "researcher"],
        ["agent", "researcher"],
      ],
    );
    assert.equal(workSummary(view.items, turn.work), "1 tool · Researcher 1.7 s");
    assert.equal(workOpen(turn, view.fold, false), false, "folded once answered");
    assert.equal(workOpen(turn, { pref: "open", turns: {} }, false), true, "the remembered preference");
    assert.equal(workOpen(turn, { pref: "open", turns: { [turn.key]: false } }, false), false, "the turn's own choice");
    // The block showing a message (a search result's, kept rendered in a long chat).
    for (const m of view.items)
      assert.deepEqual(
        blocks.map((b) => blockHas(b, view.items, m.id)),
        m.role === "user" ? [true, false] : [false, true],
        `${m.role} ${m.id}`,
      );
    assert.deepEqual(
      blocks.map((b) => blockHas(b, view.items, -1)),
      [false, false],
    );
  });

  test("while the researcher works the strip is open; it folds when the writer starts", () => {
    const f = fixture("normal");
    const events = broadcasts(f);
    const writerStarts = events.findIndex((e) => e.event === "agent_started" && e.payload.agent === "writer");
    const before = sentHere(f, events.slice(0, writerStarts));
    const live = groupTurns(before.items, "writer", true).at(-1)!;
    assert.ok(live.kind === "turn");
    assert.equal(live.answer, null);
    assert.equal(workOpen(live, before.fold, true), true);
    const after = sentHere(f, events.slice(0, writerStarts + 1));
    const answered = groupTurns(after.items, "writer", true).at(-1)!;
    assert.ok(answered.kind === "turn");
    assert.equal(after.items[answered.answer!].agent?.name, "writer");
    assert.equal(workOpen(answered, after.fold, true), false);
  });

  test("a failed turn without the writer: the researcher's message is the hero; a steer is guidance, not a new turn", () => {
    const view = sentHere(fixture("normal"));
    const researcherOnly = view.items.filter((m) => m.agent?.name !== "writer");
    const turn = groupTurns(researcherOnly, "writer", false).at(-1)!;
    assert.ok(turn.kind === "turn");
    assert.equal(researcherOnly[turn.answer!].agent?.name, "researcher");
    assert.deepEqual(turn.work, []);

    const steer: Message = { ...view.items[0], id: 9999, content: "shorter please", metadata: { steer: true } };
    const withSteer = [...view.items.slice(0, 2), steer, ...view.items.slice(2)];
    const blocks = groupTurns(withSteer, "writer", false);
    assert.equal(blocks.length, 2);
    const t = blocks[1];
    assert.ok(t.kind === "turn");
    assert.deepEqual(t.guidance, [2]);
    assert.equal(withSteer[t.answer!].agent?.name, "writer");
  });

  test("a run that failed before any agent wrote still has its turn (where its failure and Retry show)", () => {
    const view = sentHere(fixture("normal"));
    const user = view.items[0];
    const second: Message = { ...user, id: 9998, content: "again?" };
    const items = [...view.items, second];
    const blocks = groupTurns(items, "writer", false);
    assert.deepEqual(blocks.at(-2), { kind: "message", index: items.length - 1 });
    assert.deepEqual(blocks.at(-1), { kind: "turn", key: "u9998", work: [], guidance: [], answer: null });
    // Nothing before the first user message: no empty "start" turn.
    assert.equal(groupTurns([user], "writer", false).length, 2);
    assert.equal(groupTurns([], "writer", false).length, 0);
  });
});

describe("queue, steer and versions", () => {
  const queued = (f: Fixture, runId: number, position: number, content: string) => ({
    run_id: runId,
    kind: "send" as const,
    position,
    message_id: 1000 + runId,
    content,
    message: { ...f.send.message, id: 1000 + runId, content },
  });

  test("a send while the agents work waits in the queue (not in the conversation) until its run starts", () => {
    const f = fixture("normal");
    const events = broadcasts(f);
    const mid = sentHere(f, events.slice(0, 4));
    const q = queued(f, 77, 1, "and another thing");
    const next = fold(mid, [
      { event: "send_started" },
      { event: "send_accepted", run_id: 77, message: q.message, status: "queued" },
    ]);
    assert.equal(next.sending, false);
    assert.deepEqual(
      next.queue.map((x) => [x.run_id, x.content]),
      [[77, "and another thing"]],
    );
    assert.equal(
      next.items.some((m) => m.id === q.message_id),
      false,
    );
    assert.equal(next.run?.id, f.send.run_id, "the running run goes on");
    // The server's events: announced (no duplicate), then the whole queue when it changes.
    const again = reduce(next, { event: "run_queued", payload: { session_id: f.session_id, ...q }, seq: 500 });
    assert.equal(again.queue.length, 1);
    const emptied = reduce(again, {
      event: "queue_updated",
      payload: { session_id: f.session_id, queue: [] },
      seq: 501,
    });
    assert.deepEqual(emptied.queue, []);
  });

  test("a steer joins the running run: shown at once, as guidance of the turn", () => {
    const f = fixture("normal");
    const mid = sentHere(f, broadcasts(f).slice(0, 4));
    const steer: Message = { ...f.send.message, id: 555, content: "focus on cost", metadata: { steer: true } };
    const next = reduce(mid, { event: "send_accepted", run_id: f.send.run_id, message: steer, status: "steering" });
    assert.ok(next.items.some((m) => m.id === 555));
    assert.deepEqual(next.queue, []);
    const turn = groupTurns(next.items, "writer", true).at(-1)!;
    assert.ok(turn.kind === "turn");
    assert.deepEqual(
      turn.guidance.map((i) => next.items[i].id),
      [555],
    );
  });

  test("the turns come with the snapshot and again when read after a run", () => {
    const f = fixture("normal");
    const turn = failedTurn(f, "The model provider answered 503.");
    const loaded = reduce(initialView(f.session_id), {
      event: "snapshot_loaded",
      history: [f.send.message],
      state: idleState(f),
      buffered: [],
      turns: [turn],
      queue: [],
    });
    assert.equal(loaded.turns[0].error, "The model provider answered 503.");
    const ok = reduce(loaded, { event: "turns_loaded", turns: [{ ...turn, status: "success", error: null }] });
    assert.equal(ok.turns[0].status, "success");
  });
});

/**
 * A turn's process steps for the chat's strip (lib/client/process.ts) and how they change which
 * message is the turn's answer (lib/client/turns.ts): pure, no browser, no server.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isProcessStep, processSteps, processSummary } from "@/lib/client/process";
import { groupTurns } from "@/lib/client/turns";
import type { Json, Message } from "@/lib/contract/types";

let nextId = 1;
function msg(role: Message["role"], agent: string | null, metadata: Record<string, Json> = {}): Message {
  return {
    id: nextId++,
    role,
    agent: agent ? ({ id: agent.length, name: agent, role: agent } as unknown as Message["agent"]) : null,
    content: `${agent ?? "user"} text`,
    metadata,
  } as unknown as Message;
}

describe("process steps", () => {
  const review = [
    msg("user", null),
    msg("agent", "writer", { round: 1 }),
    msg("agent", "reviewer", { round: 1, review: true, verdict: "changes", notes: "- Add a summary.\n- Shorter." }),
    msg("agent", "writer", { round: 2 }),
    msg("agent", "reviewer", { round: 2, review: true, verdict: "approve", notes: "Holds up." }),
  ];

  test("review rounds: who drafted, each verdict with its notes; the last draft is the answer", () => {
    const [, turn] = groupTurns(review, "reviewer", false);
    assert.equal(turn.kind, "turn");
    if (turn.kind !== "turn") return;
    assert.equal(turn.answer, 3, "the revised draft, not the approval, is the answer");
    const steps = processSteps(review, [...turn.work, turn.answer!]);
    assert.deepEqual(steps.rounds, [
      { round: 1, drafters: ["writer"], reviewer: "reviewer", verdict: "changes", notes: "Add a summary. Shorter." },
      { round: 2, drafters: ["writer"], reviewer: "reviewer", verdict: "approve", notes: "Holds up." },
    ]);
    assert.equal(processSummary(steps), "2 rounds · approved");
  });

  test("while the reviewer streams (no verdict yet) its message is still not the answer", () => {
    const live = [...review.slice(0, 4), msg("agent", "reviewer", { round: 2, review: true, streaming: true })];
    const turn = groupTurns(live, "reviewer", true)[1];
    assert.ok(turn.kind === "turn" && turn.answer === null);
    assert.equal(processSteps(live, [1, 2, 3, 4]).rounds[1].verdict, null);
  });

  test("consultations: who asked whom what; the answer is the asker's", () => {
    const items = [
      msg("user", null),
      msg("agent", "researcher"),
      msg("agent", "researcher", { consultation: { asked_by: "writer", question: "Which year?" } }),
      msg("agent", "writer"),
    ];
    assert.ok(isProcessStep(items[2]) && !isProcessStep(items[1]));
    const turn = groupTurns(items, "writer", false)[1];
    assert.ok(turn.kind === "turn");
    if (turn.kind !== "turn") return;
    assert.equal(turn.answer, 3);
    const steps = processSteps(items, turn.work);
    assert.deepEqual(
      steps.consultations.map((c) => [c.askedBy, c.agent, c.question, c.pending]),
      [["writer", "researcher", "Which year?", false]],
    );
    assert.equal(processSummary(steps), "1 question");
  });

  test("a sequential turn has no steps", () => {
    const items = [msg("user", null), msg("agent", "researcher"), msg("agent", "writer")];
    assert.deepEqual(processSteps(items, [1, 2]), { rounds: [], consultations: [] });
    assert.equal(processSummary(processSteps(items, [1, 2])), "");
  });
});

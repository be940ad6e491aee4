/** The chat WebSocket, with a real client: frames, causal order, seq, replay, echo, errors. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { apiClient } from "./support/api";
import { startServer, type TandemServer } from "./support/server";
import { ChatClient, type Frame } from "./support/ws";

describe("chat WebSocket", () => {
  let server: TandemServer;
  let api: ReturnType<typeof apiClient>;
  before(async () => {
    server = await startServer({ env: { TANDEM_OFFLINE_DELAY_MS: "2" } });
    api = apiClient(server.url);
  });
  after(async () => {
    await server.stop();
  });

  // Titled, so that no title is generated (and announced) after a run: the tests compare event streams.
  const newSession = async () =>
    (await api("POST", "/api/sessions/", { title: "WebSocket test" })).json.session_id as string;

  test("greets with `connected`, with and without the trailing slash", async () => {
    const id = await newSession();
    for (const path of [`/ws/chat/${id}/`, `/ws/chat/${id}`]) {
      const client = await ChatClient.connect(`${server.wsUrl}${path}`);
      assert.deepEqual(client.frames[0], { event: "connected", session_id: id, seq: 0 });
      await client.close();
    }
  });

  test("echoes JSON frames and answers other frames with an error, staying open", async () => {
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/echo-test/`);
    client.send(JSON.stringify({ hello: "world", n: [1, 2] }));
    const echo = await client.waitFor((f) => f.event === "echo");
    assert.deepEqual(echo, { event: "echo", payload: { hello: "world", n: [1, 2] } });
    client.send("this is not json");
    const error = await client.waitFor((f) => f.event === "error");
    assert.equal(typeof error.payload?.detail, "string");
    client.send(JSON.stringify("still here"));
    const second = await client.waitFor((f) => f.event === "echo" && f.payload === ("still here" as unknown));
    assert.equal(second.payload, "still here");
    assert.equal(client.ws.readyState, WebSocket.OPEN);
    await client.close();
  });

  test("refuses unknown upgrade paths and odd session ids", async () => {
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${server.wsUrl}/ws/other/x`);
      ws.on("error", () => resolve("error"));
      ws.on("open", () => resolve("open"));
    });
    assert.equal(refused, "error");
    const odd = new WebSocket(`${server.wsUrl}/ws/chat/..%2Fx/`);
    const code = await new Promise<number>((resolve) => odd.on("close", (c) => resolve(c)));
    assert.equal(code, 4400);
  });

  test("announces a run in causal order, each frame after its data is committed, with seq 1, 2, 3…", async () => {
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    // Check, as each message_created arrives, that the message can already be read back.
    const readable: Promise<number>[] = [];
    client.ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as Frame;
      if (f.event === "message_created")
        readable.push(api("GET", `/api/messages/${f.payload!.message_id}/`).then((r) => r.status));
    });
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "What is 2 + 3?" });
    assert.equal(sent.status, 200);
    await client.waitFor((f) => f.event === "run_completed");
    // The run's own events; a session_updated naming the chat may follow its end.
    const all = client.events();
    const events = all.slice(0, all.findIndex((f) => f.event === "run_completed") + 1);
    assert.deepEqual(
      events.map((f) => f.seq),
      events.map((_, i) => i + 1),
      "seq increases by one per event",
    );

    const names = events.filter((f) => f.event !== "agent_token").map((f) => f.event);
    assert.deepEqual(names, [
      "run_started",
      "message_created", // the user's message
      "agent_started",
      "tool_call",
      "message_created", // the tool message
      "tool_result",
      "message_created", // the researcher's notes
      "agent_turn",
      "agent_started",
      "message_created", // the writer's answer
      "agent_turn",
      "run_completed",
    ]);
    const runId = events[0].payload!.run_id;
    assert.deepEqual(events[0].payload, {
      session_id: id,
      run_id: runId,
      kind: "send",
      parent_run_id: null,
      user_message_id: sent.json[0].id,
    });
    assert.equal(events[1].payload!.message_id, sent.json[0].id);
    assert.deepEqual(events[1].payload!.message, sent.json[0]);
    const turns = events.filter((f) => f.event === "agent_turn");
    assert.deepEqual(
      turns.map((t) => t.payload!.agent),
      ["researcher", "writer"],
    );
    for (const turn of turns) {
      const stored = sent.json.find((m: any) => m.id === turn.payload!.message_id);
      assert.equal(turn.payload!.content, stored.content);
      assert.equal(turn.payload!.role, stored.agent.role);
      // The tokens of this agent add up to its stored message.
      const tokens = events.filter((f) => f.event === "agent_token" && f.payload!.message_id === stored.id);
      assert.ok(tokens.length > 0);
      assert.equal(tokens.map((t) => t.payload!.delta).join(""), stored.content);
      assert.ok(
        tokens.every((t) => t.seq! < turn.seq!),
        "tokens come before the turn ends",
      );
    }
    const toolResult = events.find((f) => f.event === "tool_result")!;
    assert.equal(toolResult.payload!.tool_name, "calculator");
    assert.equal(toolResult.payload!.output.result, 5);
    assert.deepEqual(events.at(-1)!.payload, { run_id: runId, session_id: id });
    assert.deepEqual(
      await Promise.all(readable),
      readable.map(() => 200),
    );
    await client.close();
  });

  test("replays what a reconnecting client missed, then goes live, with no gap and no duplicate", async () => {
    const id = await newSession();
    const watcher = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    await api("POST", `/api/sessions/${id}/send/`, { content: "first" });
    await watcher.waitFor((f) => f.event === "run_completed");
    const cut = watcher.events()[5].seq!;

    const late = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/?since=${cut}`);
    await late.waitFor((f) => f.event === "run_completed");
    assert.deepEqual(
      late.events().map((f) => f.seq),
      watcher
        .events()
        .filter((f) => f.seq! > cut)
        .map((f) => f.seq),
    );
    assert.deepEqual(
      late.events(),
      watcher.events().filter((f) => f.seq! > cut),
    );

    await api("POST", `/api/sessions/${id}/send/`, { content: "second" });
    await watcher.waitFor((f) => f.event === "run_completed" && f.seq! > cut + 20);
    await late.waitFor((f) => f.event === "run_completed" && f.seq! > cut + 20);
    const seqs = late.events().map((f) => f.seq!);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => cut + 1 + i),
      "no gap, no duplicate",
    );
    assert.deepEqual(
      late.events().map((f) => f.event),
      watcher
        .events()
        .filter((f) => f.seq! > cut)
        .map((f) => f.event),
    );

    const current = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/?since=${seqs.at(-1)}`);
    assert.equal(current.frames[0].seq, seqs.at(-1));
    assert.deepEqual(current.events(), [], "nothing to replay when up to date");
    await Promise.all([watcher.close(), late.close(), current.close()]);
  });

  test("asks a client to resync when it cannot replay", async () => {
    const id = await newSession();
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/?since=999999`);
    const resync = await client.waitFor((f) => f.event === "resync");
    assert.equal(resync.payload!.seq, 0);
    await client.close();
  });

  test("tells every watcher of a session about changes to it", async () => {
    const id = await newSession();
    const a = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}/`);
    const b = await ChatClient.connect(`${server.wsUrl}/ws/chat/${id}`);
    await api("PATCH", `/api/sessions/${id}/`, { title: "Renamed" });
    for (const c of [a, b]) {
      const updated = await c.waitFor((f) => f.event === "session_updated");
      assert.equal(updated.payload!.session.title, "Renamed");
    }
    await api("DELETE", `/api/sessions/${id}/`);
    for (const c of [a, b]) {
      const deleted = await c.waitFor((f) => f.event === "session_deleted");
      assert.deepEqual(deleted.payload, { session_id: id });
    }
    await Promise.all([a.close(), b.close()]);
  });
});

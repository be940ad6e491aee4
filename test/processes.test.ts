/**
 * The review and consult processes through the public API: the offline model's review (changes,
 * then approval), a provider that always requests changes (ends at max_rounds), consultations
 * (stored, reaching the asker's next model input), the caps and the run's budget, and the seed's
 * one-time move of an unedited "Draft & review" to `review`.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiClient } from "./support/api";
import { freshSqliteUrl } from "./support/databases";
import { type OpenAIStub, type StubRequest, startOpenAIStub, toolMessages } from "./support/openai-stub";
import { startServer, type TandemServer } from "./support/server";
import { ChatClient } from "./support/ws";

type Json = any;

const systemOf = (req: StubRequest): string =>
  (req.body.messages as Json[]).find((m) => m.role === "system")?.content ?? "";
const toolNames = (req: StubRequest): string[] => (req.body.tools ?? []).map((t: Json) => t.function.name);
const isAgent = (req: StubRequest, name: string) => systemOf(req).startsWith(`You are ${name},`);

async function openChat(server: TandemServer, team: string) {
  const api = apiClient(server.url);
  const { json: session } = await api("POST", "/api/sessions/", { team });
  const ws = await ChatClient.connect(`${server.wsUrl}/ws/chat/${session.session_id}/`);
  return { api, id: session.session_id as string, ws };
}

async function lastRun(server: TandemServer, id: string): Promise<Json> {
  const runs = await apiClient(server.url)("GET", `/api/sessions/${id}/runs/`);
  return runs.json[0];
}

describe("review with the offline model", () => {
  let server: TandemServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
  });

  test("Draft & review runs two rounds: changes requested through the tool, a revision, approval", async () => {
    const { api, id, ws } = await openChat(server, "Draft & review");
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "Explain how vaccines work" });
    assert.equal(sent.status, 200, sent.text);
    const agents = (sent.json as Json[]).filter((m) => m.role === "agent");
    assert.deepEqual(
      agents.map((m) => [m.agent.name, m.metadata.round, m.metadata.verdict ?? null]),
      [
        ["writer", 1, null],
        ["reviewer", 1, "changes"],
        ["writer", 2, null],
        ["reviewer", 2, "approve"],
      ],
    );
    assert.match(agents[1].metadata.notes, /summary/);
    assert.match(agents[2].content, /\*\*In short:\*\*/, "the revision made the requested change");
    assert.doesNotMatch(agents[0].content, /\*\*In short:\*\*/);

    await ws.waitFor((f) => f.event === "run_completed");
    assert.deepEqual(
      ws.events("round_started").map((f) => [f.payload!.round, f.payload!.max_rounds]),
      [
        [1, 3],
        [2, 3],
      ],
    );
    const verdicts = ws.events("review_verdict").map((f) => f.payload!);
    assert.deepEqual(
      verdicts.map((v) => [v.round, v.agent, v.verdict, v.message_id]),
      [
        [1, "reviewer", "changes", agents[1].id],
        [2, "reviewer", "approve", agents[3].id],
      ],
    );
    const ended = ws.events("process_ended");
    assert.deepEqual(
      ended.map((f) => [f.payload!.process, f.payload!.outcome, f.payload!.rounds]),
      [["review", "approved", 2]],
    );
    assert.ok(ended[0].seq! < ws.events("run_completed")[0].seq!, "before the run's terminal event");

    const run = await lastRun(server, id);
    assert.equal(run.status, "success");
    const report = run.extra.process;
    assert.equal(report.outcome, "approved");
    assert.equal(report.max_rounds, 3);
    assert.equal(report.rounds.length, 2);
    for (const r of report.rounds) assert.ok(r.tokens_prompt > 0 && r.tokens_completion > 0, "tokens per round");
    assert.equal(
      report.budget.tokens_used,
      run.extra.tokens_prompt + run.extra.tokens_completion,
      "the budget counts the run's tokens",
    );
    await ws.close();
  });

  test("a chat switched to Draft & review (PATCH team) reviews from its next run", async () => {
    const { api, id, ws } = await openChat(server, "Research & write");
    const patched = await api("PATCH", `/api/sessions/${id}/`, { team: "Draft & review" });
    assert.equal(patched.status, 200, patched.text);
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "Explain how tides work" });
    const verdicts = (sent.json as Json[]).filter((m) => m.metadata?.review === true);
    assert.deepEqual(
      verdicts.map((m) => m.metadata.verdict),
      ["changes", "approve"],
    );
    await ws.close();
  });

  test("a sequential team's run is as before: no rounds, no process in the run log", async () => {
    const { api, id, ws } = await openChat(server, "Research & write");
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "Explain how vaccines work" });
    assert.deepEqual(
      (sent.json as Json[]).filter((m) => m.role === "agent").map((m) => [m.agent.name, m.metadata.round]),
      [
        ["researcher", undefined],
        ["writer", undefined],
      ],
    );
    await ws.waitFor((f) => f.event === "run_completed");
    assert.equal(ws.events("round_started").length + ws.events("process_ended").length, 0);
    assert.equal((await lastRun(server, id)).extra.process, undefined);
    await ws.close();
  });

  test("Ask the expert: the writer asks the researcher, whose answer is a stored, nested turn", async () => {
    const { api, id, ws } = await openChat(server, "Ask the expert");
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "Compare SQLite and PostgreSQL" });
    const agents = (sent.json as Json[]).filter((m) => m.role === "agent");
    assert.deepEqual(
      agents.map((m) => [m.agent.name, m.metadata.consultation?.asked_by ?? null]),
      [
        ["researcher", null],
        ["researcher", "writer"],
        ["writer", null],
      ],
    );
    assert.match(agents[1].metadata.consultation.question, /SQLite and PostgreSQL/);
    await ws.waitFor((f) => f.event === "run_completed");
    const [started] = ws.events("consultation_started").map((f) => f.payload!);
    assert.equal(started.asked_by, "writer");
    assert.equal(started.agent, "researcher");
    const [done] = ws.events("consultation_ended").map((f) => f.payload!);
    assert.equal(done.message_id, agents[1].id);
    const report = (await lastRun(server, id)).extra.process;
    assert.equal(report.outcome, "completed");
    assert.equal(report.consultations.length, 1);
    assert.equal(report.consultations[0].message_id, agents[1].id);
    assert.ok(report.consultations[0].tokens_completion > 0, "tokens per consultation");
    await ws.close();
  });
});

describe("processes with a provider", () => {
  let stub: OpenAIStub;
  let server: TandemServer;
  let budgetServer: TandemServer;
  const env = (baseURL: string, extra: Record<string, string> = {}) => ({
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: baseURL,
    TANDEM_MODEL: "stub-model",
    TANDEM_MODEL_RETRIES: "0",
    TANDEM_AGENT_TIMEOUT_MS: "20000",
    TANDEM_MAX_QUESTIONS: "2",
    ...extra,
  });
  before(async () => {
    stub = await startOpenAIStub();
    server = await startServer({ env: env(stub.baseURL) });
    budgetServer = await startServer({ env: env(stub.baseURL, { TANDEM_RUN_TOKEN_BUDGET: "1" }) });
  });
  after(async () => {
    await server?.stop();
    await budgetServer?.stop();
    await stub?.close();
  });

  /** The reviewer always requests changes (only through the tool: its text says nothing); the writer drafts. */
  const alwaysChanges = {
    kind: "reply" as const,
    reply: (req: StubRequest) =>
      toolNames(req).includes("submit_verdict")
        ? { toolCalls: [{ name: "submit_verdict", arguments: { verdict: "changes", notes: "Shorter, please." } }] }
        : { text: `Draft ${toolMessages(req.body).length}` },
  };

  test("a reviewer that always requests changes ends the run at max_rounds, with a clear outcome", async () => {
    stub.setBehaviors([alwaysChanges]);
    const from = stub.requests.length;
    const { api, id, ws } = await openChat(server, "Draft & review");
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "Write a haiku" });
    assert.equal(sent.status, 200, sent.text);
    const agents = (sent.json as Json[]).filter((m) => m.role === "agent");
    assert.equal(agents.length, 6, "three rounds of a draft and a verdict");
    const verdicts = agents.filter((m) => m.agent.name === "reviewer");
    assert.deepEqual(
      verdicts.map((m) => [m.metadata.round, m.metadata.verdict]),
      [
        [1, "changes"],
        [2, "changes"],
        [3, "changes"],
      ],
    );
    assert.equal(
      verdicts[0].content,
      "**Changes requested**\n\nShorter, please.",
      "a verdict without text reads as one",
    );
    // The drafter revises reading the notes: its second and third requests carry them.
    const writerBodies = stub.requests.slice(from).filter((r) => isAgent(r, "writer"));
    assert.equal(writerBodies.length, 3);
    assert.doesNotMatch(JSON.stringify(writerBodies[0].body.messages), /Shorter, please/);
    assert.match(JSON.stringify(writerBodies[1].body.messages.at(-1)), /requested changes:\\nShorter, please/);

    await ws.waitFor((f) => f.event === "run_completed");
    assert.deepEqual(
      ws.events("process_ended").map((f) => [f.payload!.outcome, f.payload!.rounds]),
      [["max_rounds", 3]],
    );
    const run = await lastRun(server, id);
    assert.equal(run.status, "success");
    assert.equal(run.extra.process.outcome, "max_rounds");
    assert.equal(run.extra.process.rounds.length, 3);
    await ws.close();
  });

  test("a consultation's question and answer are stored and reach the asking agent's next model input", async () => {
    stub.setBehaviors([
      {
        kind: "reply",
        reply: (req) => {
          if (isAgent(req, "researcher") && !toolNames(req).includes("ask_writer")) return { text: "ANSWER-42" };
          if (isAgent(req, "researcher")) return { text: "Research notes." };
          if (toolMessages(req.body).length === 0) {
            return { toolCalls: [{ name: "ask_researcher", arguments: { question: "Which year?" } }] };
          }
          return { text: "The final answer." };
        },
      },
    ]);
    const from = stub.requests.length;
    const { api, id, ws } = await openChat(server, "Ask the expert");
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "When was SQLite released?" });
    assert.equal(sent.status, 200, sent.text);
    const agents = (sent.json as Json[]).filter((m) => m.role === "agent");
    const answer = agents.find((m) => m.metadata.consultation);
    assert.ok(answer, sent.text);
    assert.equal(answer.agent.name, "researcher");
    assert.equal(answer.content, "ANSWER-42");
    assert.deepEqual(answer.metadata.consultation, { asked_by: "writer", question: "Which year?" });
    assert.equal(agents.at(-1).content, "The final answer.");

    const requests = stub.requests.slice(from);
    const nested = requests.find((r) => isAgent(r, "researcher") && !toolNames(r).includes("ask_writer"))!;
    assert.match(JSON.stringify(nested.body.messages.at(-1)), /writer, your teammate, asks you:\\nWhich year\?/);
    assert.deepEqual(toolNames(nested), ["calculator", "current_time", "session_search"], "one level deep");
    const next = requests.filter((r) => isAgent(r, "writer")).at(-1)!;
    assert.deepEqual(
      toolMessages(next.body).map((m) => JSON.parse(m.content)),
      [{ answer: "ANSWER-42" }],
      "the answer is the asker's tool result",
    );
    await ws.waitFor((f) => f.event === "run_completed");
    await ws.close();
  });

  test("questions are capped per turn, steps by TANDEM_MAX_TOOL_STEPS", async () => {
    stub.setBehaviors([
      {
        kind: "reply",
        reply: (req) => {
          if (!isAgent(req, "writer")) return { text: "Noted." };
          const ask = { name: "ask_researcher", arguments: { question: "More?" } };
          return { toolCalls: [ask, ask, ask] };
        },
      },
    ]);
    const { api, id, ws } = await openChat(server, "Ask the expert");
    const sent = await api("POST", `/api/sessions/${id}/send/`, { content: "Tell me everything" });
    assert.equal(sent.status, 200, sent.text);
    const consulted = (sent.json as Json[]).filter((m) => m.metadata?.consultation);
    assert.equal(consulted.length, 2, "TANDEM_MAX_QUESTIONS=2 a turn");
    await ws.waitFor((f) => f.event === "run_completed");
    const run = await lastRun(server, id);
    assert.equal(run.extra.process.consultations.length, 2);
    const writer = run.extra.agents.find((a: Json) => a.agent === "writer" && a.steps > 0);
    assert.equal(writer.steps, 4, "the writer's steps stop at the cap (default 4)");
    await ws.close();
  });

  test("the run's token budget stops a review before its next round", async () => {
    stub.setBehaviors([alwaysChanges]);
    const { api, id, ws } = await openChat(budgetServer, "Draft & review");
    await api("POST", `/api/sessions/${id}/send/`, { content: "Write a haiku" });
    await ws.waitFor((f) => f.event === "run_completed");
    const report = (await lastRun(budgetServer, id)).extra.process;
    assert.equal(report.outcome, "token_budget");
    assert.equal(report.rounds.length, 1);
    assert.ok(report.budget.tokens_used >= report.budget.tokens);
    await ws.close();
  });
});

describe("the seed moves an unedited Draft & review to review, once", () => {
  test("an install seeded before processes gets review; an edited copy is left alone", async () => {
    const databaseUrl = await freshSqliteUrl("process-seed");
    process.env.DATABASE_URL = databaseUrl;
    process.env.LOG_LEVEL = "silent";
    const { deployMigrations } = await import("@/lib/db/migrate");
    await deployMigrations(databaseUrl);
    const { dbReady, db } = await import("@/lib/db/connection");
    await dbReady();
    const { seedDefaults } = await import("@/lib/agents/seed");
    await seedDefaults();
    const draft = () => db().team.findUniqueOrThrow({ where: { name: "Draft & review" } });
    const old = {
      process: "sequential",
      description: "A writer drafts the answer, then a reviewer checks it and says what to fix.",
    };

    // As the earlier release left it: sequential, its old description, no upgrade marker.
    await db().team.update({ where: { name: "Draft & review" }, data: old });
    await db().appSetting.delete({ where: { key: "seeded_team_process:Draft & review" } });
    await seedDefaults();
    assert.equal((await draft()).process, "review");

    // An admin's edit (here: back to sequential with its own words) survives the next starts.
    await db().team.update({ where: { name: "Draft & review" }, data: { process: "sequential" } });
    await seedDefaults();
    assert.equal((await draft()).process, "sequential", "the upgrade runs once");
    await db().team.update({ where: { name: "Draft & review" }, data: { ...old, description: "Ours" } });
    await db().appSetting.delete({ where: { key: "seeded_team_process:Draft & review" } });
    await seedDefaults();
    assert.equal((await draft()).process, "sequential", "an edited team is never upgraded");
  });
});

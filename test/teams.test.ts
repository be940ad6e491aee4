/**
 * Teams as data: the seeded teams, sessions created with the default team or a named one, a
 * chat's team changed over the API (announced to an open window), the default chosen by an
 * admin, and the seed's and the admin writes' rules (idempotent, never overwriting, a default
 * always kept).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type ApiAnswer, apiClient } from "./support/api";
import { freshSqliteUrl } from "./support/databases";
import { startServer, type TandemServer } from "./support/server";
import { ChatClient } from "./support/ws";

// The data module reads DATABASE_URL once, when first imported: the server's own database, so
// this process can make the admin pages' writes that the server then serves.
const databaseUrl = await freshSqliteUrl("teams");
process.env.DATABASE_URL = databaseUrl;
process.env.LOG_LEVEL = "silent";

const agentsOf = (answer: ApiAnswer) => answer.json.assignments.map((a: { agent: { name: string } }) => a.agent.name);

describe("teams", () => {
  let server: TandemServer;
  let api: ReturnType<typeof apiClient>;
  let teams: typeof import("@/lib/db/teams");
  let seed: typeof import("@/lib/agents/seed");
  before(async () => {
    server = await startServer({ databaseUrl, env: { TANDEM_OFFLINE_DELAY_MS: "0" } });
    api = apiClient(server.url);
    teams = await import("@/lib/db/teams");
    seed = await import("@/lib/agents/seed");
  });
  after(async () => {
    await server.stop();
  });

  const teamId = async (name: string) => (await teams.findTeam(name))!.id;

  test("GET /api/teams/ lists the seeded teams, the default first, with ordered members and their tools", async () => {
    const answer = await api("GET", "/api/teams/");
    assert.equal(answer.status, 200);
    const names = answer.json.map((t: { name: string }) => t.name);
    assert.deepEqual(names, ["Research & write", "Ask the expert", "Draft & review", "Quick answer"]);
    const [first, expert, review] = answer.json;
    assert.equal(first.is_default, true);
    assert.equal(first.process, "sequential");
    assert.deepEqual(
      first.members.map((m: { agent: { name: string }; tools: { name: string }[] }) => [
        m.agent.name,
        m.tools.map((t) => t.name),
      ]),
      [
        ["researcher", ["calculator", "current_time", "session_search"]],
        ["writer", []],
      ],
    );
    assert.deepEqual(
      review.members.map((m: { agent: { name: string } }) => m.agent.name),
      ["writer", "reviewer"],
    );
    assert.equal(review.is_default, false);
    assert.equal(review.process, "review");
    assert.equal(expert.process, "consult");
    assert.deepEqual(
      expert.members.map((m: { agent: { name: string } }) => m.agent.name),
      ["researcher", "writer"],
    );
    assert.deepEqual(Object.keys(first).sort(), [
      "created_at",
      "description",
      "id",
      "is_default",
      "max_rounds",
      "members",
      "name",
      "process",
      "updated_at",
    ]);
    assert.equal((await api("GET", "/teams")).status, 200, "the root mirror answers too");
  });

  test("a new session gets the default team; `team` (name or id) picks another; an unknown team is a field error", async () => {
    assert.deepEqual(agentsOf(await api("POST", "/api/sessions/", {})), ["researcher", "writer"]);

    const byName = await api("POST", "/api/sessions/", { team: "Draft & review" });
    assert.equal(byName.status, 201);
    assert.deepEqual(agentsOf(byName), ["writer", "reviewer"]);
    assert.match(byName.json.assignments[0].prompt_override, /no researcher/);
    assert.deepEqual(
      byName.json.assignments.map((a: { order: number }) => a.order),
      [0, 1],
    );

    const byId = await api("POST", "/api/sessions/", { team: await teamId("Quick answer") });
    assert.deepEqual(agentsOf(byId), ["writer"]);

    for (const team of ["No such team", 999_999, "", 1.5, null]) {
      const answer = await api("POST", "/api/sessions/", { session_id: "team-refused", team });
      assert.equal(answer.status, 400, JSON.stringify(team));
      assert.ok(Array.isArray(answer.json.team), answer.text);
    }
    assert.equal((await api("GET", "/api/sessions/team-refused/")).status, 404, "nothing half-written");
  });

  test("PATCH `team` replaces the assignments and announces session_updated to an open window", async () => {
    const { json: session } = await api("POST", "/api/sessions/", { title: "Switching" });
    const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${session.session_id}/`);
    const changed = await api("PATCH", `/api/sessions/${session.session_id}/`, { team: "Draft & review" });
    assert.equal(changed.status, 200);
    assert.deepEqual(agentsOf(changed), ["writer", "reviewer"]);
    assert.equal(changed.json.title, "Switching");

    const event = await client.waitFor(
      (f) => f.event === "session_updated" && f.payload?.session.assignments.length === 2,
    );
    assert.deepEqual(
      event.payload!.session.assignments.map((a: { agent: { name: string } }) => a.agent.name),
      ["writer", "reviewer"],
    );
    const state = await api("GET", `/api/sessions/${session.session_id}/state/`);
    assert.deepEqual(
      state.json.assignments.map((a: { agent: string }) => a.agent),
      ["writer", "reviewer"],
    );

    const refused = await api("PATCH", `/api/sessions/${session.session_id}/`, { team: "Nope", title: "Renamed" });
    assert.equal(refused.status, 400);
    assert.ok(refused.json.team);
    const after = await api("GET", `/api/sessions/${session.session_id}/`);
    assert.deepEqual(agentsOf(after), ["writer", "reviewer"], "an unknown team changes nothing");
    assert.equal(after.json.title, "Switching");
    await client.close();
  });

  test("the default team an admin chooses is what the next new session gets", async () => {
    await teams.setDefaultTeam(await teamId("Draft & review"));
    try {
      assert.deepEqual(agentsOf(await api("POST", "/api/sessions/", {})), ["writer", "reviewer"]);
      const listed = (await api("GET", "/api/teams/")).json;
      assert.deepEqual(
        listed.filter((t: { is_default: boolean }) => t.is_default).map((t: { name: string }) => t.name),
        ["Draft & review"],
        "one default at a time",
      );
    } finally {
      await teams.setDefaultTeam(await teamId("Research & write"));
    }
  });

  test("the seed is idempotent and never brings back or overwrites what admins changed", async () => {
    const quick = (await teams.findTeam("Quick answer"))!;
    await teams.updateTeam(quick.id, {
      name: "Quick answer",
      description: "Edited by an admin",
      process: "sequential",
      maxRounds: 2,
      isDefault: false,
      members: [{ agentId: quick.members[0].agentId, promptOverride: "", toolIds: [] }],
    });
    assert.equal(await teams.deleteTeam(await teamId("Draft & review")), true);
    await seed.seedDefaults();
    await seed.seedDefaults();
    const names = (await teams.listTeams()).map((t) => t.name);
    assert.deepEqual(names, ["Research & write", "Ask the expert", "Quick answer"]);
    const edited = (await teams.findTeam("Quick answer"))!;
    assert.equal(edited.description, "Edited by an admin");
    assert.equal(edited.maxRounds, 2);
    assert.deepEqual(edited.members[0].tools, []);
  });

  test("after its first successful run a chat is named by the model, announced to open windows", async () => {
    for (const title of [undefined, "Compare SQLite and PostgreSQL for a small team"]) {
      // Untitled, or titled with the excerpt the chat UI names a chat with: both are automatic.
      const { json: session } = await api("POST", "/api/sessions/", title ? { title } : {});
      const client = await ChatClient.connect(`${server.wsUrl}/ws/chat/${session.session_id}/`);
      const sent = await api("POST", `/api/sessions/${session.session_id}/send/`, {
        content: "Compare SQLite and PostgreSQL for a small team",
      });
      assert.equal(sent.status, 200);
      const named = await client.waitFor(
        (f) => f.event === "session_updated" && f.payload?.session.title === "SQLite vs. PostgreSQL",
      );
      assert.ok(named.seq! > client.events("run_completed")[0].seq!, "after the run ended");
      assert.equal((await api("GET", `/api/sessions/${session.session_id}/`)).json.title, "SQLite vs. PostgreSQL");
      await client.close();
    }
  });

  test("a title the person set, or a chat past its first run, is left alone", async () => {
    const { titleAfterFirstRun } = await import("@/lib/sessions/titles");
    const { json: titled } = await api("POST", "/api/sessions/", { title: "Database notes" });
    await api("POST", `/api/sessions/${titled.session_id}/send/`, { content: "Compare SQLite and PostgreSQL" });
    await titleAfterFirstRun(titled.session_id);
    assert.equal((await api("GET", `/api/sessions/${titled.session_id}/`)).json.title, "Database notes");

    const { json: later } = await api("POST", "/api/sessions/", {});
    await api("POST", `/api/sessions/${later.session_id}/send/`, { content: "What is 2 + 2?" });
    await api("POST", `/api/sessions/${later.session_id}/send/`, { content: "And 3 + 3?" });
    await api("PATCH", `/api/sessions/${later.session_id}/`, { title: "" });
    await titleAfterFirstRun(later.session_id);
    assert.equal((await api("GET", `/api/sessions/${later.session_id}/`)).json.title, "", "two runs: not the first");
  });

  test("admin writes keep one default and refuse half-made teams", async () => {
    const agents = await (await import("@/lib/db/agents")).listAgents();
    const writer = agents.find((a) => a.name === "writer")!;
    const researcher = agents.find((a) => a.name === "researcher")!;
    const input = {
      name: "Pair",
      description: "",
      process: "sequential",
      maxRounds: 3,
      isDefault: false,
      members: [
        { agentId: writer.id, promptOverride: "", toolIds: [] },
        { agentId: researcher.id, promptOverride: "Be brief.", toolIds: [] },
      ],
    };
    const pair = await teams.createTeam(input);
    assert.deepEqual(
      pair.members.map((m) => [m.agent.name, m.order, m.promptOverride]),
      [
        ["writer", 0, ""],
        ["researcher", 1, "Be brief."],
      ],
    );
    await assert.rejects(teams.createTeam(input), (e: any) => e.fields?.name !== undefined, "a unique name");
    await assert.rejects(
      teams.createTeam({ ...input, name: "Twice", members: [input.members[0], input.members[0]] }),
      (e: any) => e.fields?.members !== undefined,
    );
    await assert.rejects(
      teams.createTeam({ ...input, name: "Ghost", members: [{ agentId: 999_999, promptOverride: "", toolIds: [] }] }),
      (e: any) => e.fields?.members !== undefined,
    );
    assert.equal(await teams.findTeam("Ghost"), null, "nothing half-written");

    // Reordered: the researcher first.
    const reordered = await teams.updateTeam(pair.id, { ...input, members: [...input.members].reverse() });
    assert.deepEqual(
      reordered.members.map((m) => m.agent.name),
      ["researcher", "writer"],
    );

    const defaultId = await teamId("Research & write");
    await assert.rejects(teams.deleteTeam(defaultId), (e: any) => e.kind === "conflict");
    await assert.rejects(
      teams.updateTeam(defaultId, { ...input, name: "Research & write", isDefault: false }),
      (e: any) => e.fields?.is_default !== undefined,
    );
    await teams.updateTeam(pair.id, { ...input, isDefault: true });
    assert.equal((await teams.defaultTeam())!.name, "Pair");
    assert.equal((await teams.findTeam("Research & write"))!.isDefault, false);
    assert.equal(await teams.deleteTeam(defaultId), true, "no longer the default");

    // An agent in a team cannot be deleted, with the reason.
    const { createAgent, deleteAgent } = await import("@/lib/db/agents");
    const critic = await createAgent({
      name: "critic",
      role: "Critic",
      description: "",
      modelHint: "",
      isActive: true,
    });
    await teams.updateTeam(pair.id, {
      ...input,
      isDefault: true,
      members: [...input.members, { agentId: critic.id, promptOverride: "", toolIds: [] }],
    });
    await assert.rejects(deleteAgent(critic.id), /a member of a team; remove it from those teams first/);
  });
});

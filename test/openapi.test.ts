/**
 * The OpenAPI document is good enough to generate clients from, and does not lie:
 * - Redocly's linter (recommended rules, redocly.yaml) finds no error in it;
 * - a client generated from it (openapi-typescript types + openapi-fetch) calls every operation
 *   of a running server, and every answer's body matches the schema the document gives for
 *   that status. An operation added to the document without a call here fails the last test.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import createClient, { type Middleware } from "openapi-fetch";
import { openApiDocument } from "@/lib/contract/openapi";
import type { paths } from "@/lib/contract/openapi-types";
import { startServer, type TandemServer } from "./support/server";

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
};
const doc = openApiDocument() as Doc;

test("Redocly's linter finds no error in the document", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tandem-openapi-"));
  const file = path.join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(doc));
  const lint = spawnSync(
    process.execPath,
    [path.resolve("node_modules/@redocly/cli/bin/cli.js"), "lint", file, "--config", path.resolve("redocly.yaml")],
    {
      encoding: "utf8",
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    },
  );
  const output = lint.stdout + lint.stderr;
  assert.equal(lint.status, 0, output);
  assert.match(output, /Your API description is valid/);
});

test("every operation has a unique operationId, a tag and a security answer", () => {
  const ids = new Set<string>();
  for (const [route, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops) as [string, Record<string, unknown>][]) {
      assert.ok(op.operationId, `${method} ${route} has an operationId`);
      assert.ok(!ids.has(op.operationId as string), `operationId ${op.operationId} is unique`);
      ids.add(op.operationId as string);
      assert.ok((op.tags as string[]).length > 0);
      const open = Array.isArray(op.security) && op.security.length === 0;
      if (!open) assert.ok(op.responses && "401" in (op.responses as object), `${method} ${route} documents 401`);
    }
  }
});

describe("a client generated from the document, against a running server", () => {
  let server: TandemServer;
  const called = new Set<string>();
  const mismatches: string[] = [];
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, "openapi");

  /** Checks each answer against the document: its status is documented and its body fits the schema. */
  const checkAnswers: Middleware = {
    async onResponse({ request, response, schemaPath }) {
      const method = request.method.toLowerCase();
      called.add(`${method} ${schemaPath}`);
      const documented = doc.paths[schemaPath]?.[method]?.responses?.[String(response.status)];
      if (!documented) {
        mismatches.push(`${method} ${schemaPath}: status ${response.status} is not documented`);
        return;
      }
      if (response.status === 204) return;
      // The answer's media type must be one the document gives for that status; JSON is checked against its schema.
      const media = (response.headers.get("content-type") ?? "").split(";")[0].trim();
      if (documented.content && !(media in documented.content)) {
        mismatches.push(`${method} ${schemaPath} ${response.status}: ${media} is not documented`);
        return;
      }
      const schema = documented.content?.["application/json"]?.schema;
      if (!schema || media !== "application/json") return;
      const body = await response.clone().json();
      const pointer = `openapi#/paths/${schemaPath.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}/responses/${response.status}/content/application~1json/schema`;
      const validate = ajv.getSchema(pointer);
      assert.ok(validate, pointer);
      if (!validate(body)) {
        mismatches.push(`${method} ${schemaPath} ${response.status}: ${ajv.errorsText(validate.errors)}`);
      }
    },
  };

  let client: ReturnType<typeof createClient<paths>>;
  before(async () => {
    server = await startServer();
    client = createClient<paths>({ baseUrl: server.url });
    client.use(checkAnswers);
  });
  after(() => server?.stop());

  test("calls every operation; every answer matches the document", async () => {
    const health = await client.GET("/api/health/");
    assert.deepEqual(health.data, { message: "Server is up!" });
    assert.equal((await client.GET("/api/ready/")).response.status, 200);

    const created = await client.POST("/api/sessions/", { body: { title: "Generated client", metadata: { a: 1 } } });
    assert.equal(created.response.status, 201);
    const sessionId = created.data!.session_id;
    const session = { params: { path: { session_id: sessionId } } };
    const bad = await client.POST("/api/sessions/", { body: { title: 5 as unknown as string } });
    assert.equal(bad.response.status, 400);

    assert.equal((await client.GET("/api/sessions/", { params: { query: { limit: 5 } } })).response.status, 200);
    assert.equal((await client.GET("/api/sessions/", { params: { query: { view: "summary" } } })).response.status, 200);
    assert.equal((await client.GET("/api/sessions/{session_id}/", session)).data?.title, "Generated client");
    assert.equal(
      (await client.PUT("/api/sessions/{session_id}/", { ...session, body: { title: "Put" } })).data?.title,
      "Put",
    );
    assert.equal(
      (await client.PATCH("/api/sessions/{session_id}/", { ...session, body: { title: "Patched" } })).data?.title,
      "Patched",
    );

    const sent = await client.POST("/api/sessions/{session_id}/send/", {
      ...session,
      body: { content: "What is 12 * (3 + 4)?" },
    });
    assert.equal(sent.response.status, 200);
    const messages = sent.data as NonNullable<typeof sent.data> & unknown[];
    assert.ok(messages.length >= 3);
    const missingContent = await client.POST("/api/sessions/{session_id}/send/", { ...session, body: { content: "" } });
    assert.equal(missingContent.response.status, 400);

    // Turns and their versions.
    const turns = await client.GET("/api/sessions/{session_id}/turns/", session);
    const firstRun = turns.data![0].run_id;
    const regenerated = await client.POST("/api/sessions/{session_id}/regenerate/", { ...session, body: {} });
    assert.equal(regenerated.response.status, 200);
    const userMessage = messages[0] as { id: number };
    const edited = await client.POST("/api/sessions/{session_id}/edit/", {
      ...session,
      body: { message_id: userMessage.id, content: "What is 2 + 2?" },
    });
    assert.equal(edited.response.status, 200);
    const selected = await client.POST("/api/sessions/{session_id}/select/", {
      ...session,
      body: { run_id: firstRun },
    });
    assert.equal(selected.response.status, 200);
    assert.equal(
      (await client.POST("/api/sessions/{session_id}/retry/", { ...session, body: {} })).response.status,
      409,
    );
    assert.equal(
      (await client.POST("/api/sessions/{session_id}/continue/", { ...session, body: {} })).response.status,
      409,
    );
    assert.deepEqual((await client.GET("/api/sessions/{session_id}/queue/", session)).data, []);
    const noRun = { params: { path: { session_id: sessionId, run_id: 999_999 } } };
    assert.equal(
      (await client.PATCH("/api/sessions/{session_id}/queue/{run_id}/", { ...noRun, body: { content: "x" } })).response
        .status,
      404,
    );
    assert.equal((await client.DELETE("/api/sessions/{session_id}/queue/{run_id}/", noRun)).response.status, 404);

    const history = await client.GET("/api/sessions/{session_id}/history/", session);
    assert.equal(history.data?.length, messages.length);
    assert.equal((await client.GET("/api/sessions/{session_id}/state/", session)).data?.session_id, sessionId);
    assert.equal((await client.GET("/api/sessions/{session_id}/runs/", session)).data?.[0]?.status, "success");
    assert.equal((await client.POST("/api/sessions/{session_id}/cancel/", session)).response.status, 409);

    assert.ok((await client.GET("/api/agents/")).data?.some((a) => a.name === "writer"));
    assert.ok((await client.GET("/api/tools/")).data?.some((t) => t.name === "calculator"));
    assert.ok((await client.GET("/api/teams/")).data?.some((t) => t.name === "Research & write"));
    const listed = await client.GET("/api/messages/", { params: { query: { session: sessionId } } });
    // Every message of the session: those of the versions (regenerated, edited) too.
    const everyVersion = await client.GET("/api/sessions/{session_id}/history/", {
      params: { path: { session_id: sessionId }, query: { versions: "all" } },
    });
    assert.equal(listed.data?.length, everyVersion.data?.length);
    const first = listed.data![0];
    assert.equal((await client.GET("/api/messages/{id}/", { params: { path: { id: first.id } } })).data?.id, first.id);
    assert.equal((await client.GET("/api/messages/{id}/", { params: { path: { id: 999_999 } } })).response.status, 404);
    const answer = listed.data!.find((m) => m.role === "agent")!;
    const rated = await client.PUT("/api/messages/{id}/rating/", {
      params: { path: { id: answer.id } },
      body: { rating: "up" },
    });
    assert.equal(rated.data?.rating, "up");

    const found = await client.GET("/api/search/", { params: { query: { q: "12 3" } } });
    assert.ok(found.data?.some((r) => r.session_id === sessionId));
    assert.equal((await client.GET("/api/search/", { params: { query: { q: "" } } })).response.status, 400);

    // Export and import: the JSON export imports as a new chat; Markdown comes as text/markdown.
    const exported = await client.GET("/api/sessions/{session_id}/export/", {
      ...session,
      params: { ...session.params, query: { format: "json" } },
    });
    // Both media types share the 200: the JSON one is asked for here.
    const chat = exported.data as Exclude<typeof exported.data, string | undefined>;
    assert.equal(chat.format, "tandem.chat");
    const markdown = await client.GET("/api/sessions/{session_id}/export/", {
      ...session,
      params: { ...session.params, query: { format: "md" } },
      parseAs: "text",
    });
    assert.match(String(markdown.data), /^# Patched/);
    const imported = await client.POST("/api/import/", { body: chat });
    assert.equal(imported.response.status, 201);
    assert.equal(imported.data?.imported[0].messages, chat.messages.length);
    const refused = await client.POST("/api/import/", { body: [] });
    assert.equal(refused.response.status, 400);

    assert.equal((await client.DELETE("/api/sessions/{session_id}/", session)).response.status, 204);
    assert.equal((await client.GET("/api/sessions/{session_id}/", session)).response.status, 404);

    assert.deepEqual(mismatches, []);
  });

  test("no operation of the document went uncalled", () => {
    const all = Object.entries(doc.paths).flatMap(([route, ops]) => Object.keys(ops).map((m) => `${m} ${route}`));
    assert.deepEqual(
      all.filter((op) => !called.has(op)),
      [],
    );
  });
});

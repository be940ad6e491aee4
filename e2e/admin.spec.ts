/**
 * The admin pages end to end, in Chromium against a production server of their own (so it can
 * be started with an admin from ADMIN_USERNAME/ADMIN_PASSWORD and a database nobody else
 * writes to). Everything is selected by data-testid through the page object in ./pages/admin.ts.
 */
import { type APIRequestContext, expect, test } from "@playwright/test";
import { startServer, type TandemServer } from "@/test/support/server";
import { AdminPage } from "./pages/admin";
import { ChatPage } from "./pages/chat";

const USER = "admin";
const PASSWORD = "correct-horse-battery";
const port = Number(process.env.E2E_PORT ?? 3199) + 1;
const baseURL = `http://127.0.0.1:${port}`;

let server: TandemServer;

test.describe.configure({ mode: "serial" });
test.use({ baseURL });

test.beforeAll(async () => {
  test.setTimeout(90_000);
  server = await startServer({ port, env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD } });
});

test.afterAll(async () => {
  await server?.stop();
});

async function createSession(request: APIRequestContext, title: string): Promise<string> {
  const res = await request.post("/api/sessions/", { data: { title, user_id: "e2e-user" } });
  expect(res.status()).toBe(201);
  return (await res.json()).session_id as string;
}

async function send(
  request: APIRequestContext,
  sessionId: string,
  content: string,
): Promise<Array<Record<string, unknown>>> {
  const res = await request.post(`/api/sessions/${sessionId}/send/`, { data: { content } });
  expect(res.status()).toBe(200);
  return res.json();
}

test("every admin page requires a login; a wrong password is refused; logout works", async ({ page, request }) => {
  const admin = new AdminPage(page);
  for (const path of [
    "/admin",
    "/admin/agents",
    "/admin/agents/1",
    "/admin/tools",
    "/admin/tools/new",
    "/admin/sessions",
    "/admin/messages",
    "/admin/runs",
    "/admin/runs/1",
  ]) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(307);
    expect(res.headers().location, path).toMatch(/^\/admin\/login\?next=/);
    // Nothing of the admin leaks into a signed-out response.
    expect(await res.text(), path).not.toContain("admin-header");
  }
  // A forged cookie is no session.
  const forged = await request.get("/admin/agents", { maxRedirects: 0, headers: { cookie: "tandem_admin=AAAA.BBBB" } });
  expect(forged.status()).toBe(307);

  await page.goto("/admin/agents");
  await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin%2Fagents/);
  await admin.fillLogin(USER, "wrong-password-123");
  await expect(admin.loginError).toHaveText("Wrong username or password.");
  await admin.fillLogin("nobody", PASSWORD);
  await expect(admin.loginError).toHaveText("Wrong username or password.");

  await admin.fillLogin(USER, PASSWORD);
  await expect(page).toHaveURL(/\/admin\/agents$/);
  await expect(admin.title).toHaveText("Agents");
  const cookie = (await page.context().cookies()).find((c) => c.name === "tandem_admin");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/admin", secure: true }); // production

  await admin.logout();
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin\/login/);
});

test("agents: create (with inline field errors), search, filter, edit, delete", async ({ page }) => {
  const admin = new AdminPage(page);
  await admin.login(USER, PASSWORD, "/admin/agents");
  await expect(admin.rows("agent")).toHaveCount(3); // researcher, writer, reviewer
  await page.getByTestId("new-agent-button").click();

  // The API's schema refuses a blank name and role; the errors sit beside their fields.
  await admin.fillAgent({ name: "  ", role: "", description: "Checks facts." });
  await expect(admin.fieldError(admin.agentForm, "name")).toHaveText("This field may not be blank.");
  await expect(admin.fieldError(admin.agentForm, "role")).toHaveText("This field may not be blank.");
  await expect(admin.input(admin.agentForm, "description")).toHaveValue("Checks facts.");

  await admin.fillAgent({
    name: "fact-checker",
    role: "fact checker",
    description: "You double-check every Zanzibar fact.",
    model_hint: "offline",
  });
  await expect(page).toHaveURL(/\/admin\/agents\/\d+\?created=1$/);
  await expect(admin.title).toHaveText("fact-checker");

  // A duplicate name is refused on the name field.
  await page.goto("/admin/agents/new");
  await admin.fillAgent({ name: "writer", role: "another writer" });
  await expect(admin.fieldError(admin.agentForm, "name")).toHaveText("An agent with this name already exists.");

  await page.goto("/admin/agents");
  await admin.applyFilters({ q: "ZANZIBAR" }); // the description, in any case
  await expect(admin.rows("agent")).toHaveCount(1);
  await expect(admin.rows("agent").first()).toHaveAttribute("data-name", "fact-checker");

  await admin.rows("agent").first().getByRole("link").click();
  await admin.fillAgent({ role: "senior fact checker", is_active: false });
  await expect(admin.formNotice(admin.agentForm)).toHaveText("Saved.");
  await page.goto("/admin/agents?active=no");
  await expect(admin.rows("agent")).toHaveCount(1);
  await expect(admin.rows("agent").first()).toContainText("senior fact checker");
  await page.goto("/admin/agents?active=yes");
  await expect(admin.rows("agent")).toHaveCount(3);

  await page.goto("/admin/agents?q=fact-checker");
  await admin.rows("agent").first().getByRole("link").click();
  await admin.confirm("delete-agent");
  await expect(page).toHaveURL(/\/admin\/agents\?deleted=1$/);
  await expect(page.locator('[data-testid="agent-row"][data-name="fact-checker"]')).toHaveCount(0);
});

test("tools: the schema must be valid JSON and a valid JSON Schema; create, edit, delete; implementation shown", async ({
  page,
}) => {
  const admin = new AdminPage(page);
  await admin.login(USER, PASSWORD, "/admin/tools");
  await expect(
    page.locator('[data-testid="tool-row"][data-name="calculator"] [data-testid="tool-implementation"]'),
  ).toHaveText("built in");

  await page.getByTestId("new-tool-button").click();
  await admin.fillTool({ name: "weather lookup", schema: "{ not json" });
  await expect(admin.fieldError(admin.toolForm, "name")).toContainText("letters, digits");
  await expect(admin.fieldError(admin.toolForm, "schema")).toContainText("Not valid JSON");

  await admin.fillTool({
    name: "weather_lookup",
    schema: JSON.stringify({ type: "object", properties: { city: { type: "strnig" } } }),
  });
  await expect(admin.fieldError(admin.toolForm, "schema")).toContainText("Not a valid JSON Schema");
  await admin.fillTool({ schema: JSON.stringify({ type: "object", requried: ["city"] }) });
  await expect(admin.fieldError(admin.toolForm, "schema")).toContainText('unknown keyword: "requried"');

  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
  await admin.fillTool({
    name: "weather_lookup",
    description: "Looks up the weather.",
    schema: JSON.stringify(schema),
  });
  await expect(page).toHaveURL(/\/admin\/tools\/\d+\?created=1$/);
  await expect(page.getByTestId("tool-implementation")).toContainText("none");
  await admin.fillTool({ description: "Looks up today's weather.", is_active: false });
  await expect(admin.formNotice(admin.toolForm)).toHaveText("Saved.");

  await page.goto("/admin/tools?q=weather&active=no");
  await expect(admin.rows("tool")).toHaveCount(1);
  await expect(admin.rows("tool").first()).toContainText("today's weather");
  await expect(admin.rows("tool").first().getByTestId("tool-implementation")).toHaveText("none");

  await admin.rows("tool").first().getByRole("link").click();
  await admin.confirm("delete-tool");
  await expect(page).toHaveURL(/\/admin\/tools\?deleted=1$/);
  await page.goto("/admin/tools?q=weather");
  await expect(admin.emptyList).toBeVisible();
});

test("sessions: assign an agent with tools and the next run uses them; an assigned agent cannot be deleted; a rename and a team change reach the chat live", async ({
  page,
  request,
  browser,
}, testInfo) => {
  const admin = new AdminPage(page);
  const sessionId = await createSession(request, "Admin wiring");
  await admin.login(USER, PASSWORD, "/admin/agents/new");
  await admin.fillAgent({
    name: "checker",
    role: "checker",
    description: "You verify arithmetic with the calculator.",
    model_hint: "offline",
  });
  await expect(admin.title).toHaveText("checker");
  const checkerUrl = page.url().replace(/\?.*$/, "");

  await page.goto("/admin/sessions");
  await admin.applyFilters({ q: "admin wiring" });
  await expect(admin.rows("session")).toHaveCount(1);
  await admin.rows("session").first().getByRole("link").first().click();
  await expect(admin.assignment("researcher")).toBeVisible();

  // Remove the researcher, move the writer last, add the checker first with the calculator.
  await admin.confirm("remove-researcher");
  await expect(admin.assignment("researcher")).toHaveCount(0);
  const writer = admin.assignmentForm("writer");
  await admin.input(writer, "order").fill("5");
  await admin.submit(writer, writer.getByTestId("assignment-save-writer"));
  await expect(admin.formNotice(writer)).toHaveText("Saved.");

  const add = admin.addAssignmentForm;
  await admin.input(add, "agent").selectOption({ label: "checker — checker" });
  await admin.input(add, "order").fill("0");
  await admin.input(add, "prompt_override").fill("Show your working.");
  await add.getByTestId("new-tool-calculator").check();
  await admin.submit(add, add.getByTestId("add-assignment-submit"));
  await expect(admin.assignment("checker")).toBeVisible();
  await expect(admin.assignment("checker").getByTestId("checker-tool-calculator")).toBeChecked();
  await admin.screenshot(testInfo, "admin-session");
  const state = await (await request.get(`/api/sessions/${sessionId}/state/`)).json();
  expect(state.assignments.map((a: { agent: string }) => a.agent)).toEqual(["checker", "writer"]);

  // The next run: the checker (first, with the calculator) calls it; the writer answers.
  const sent = await send(request, sessionId, "What is 6 * 7?");
  const tool = sent.find((m) => m.role === "tool");
  expect(tool).toMatchObject({ tool_name: "calculator", agent: { name: "checker" } });

  await page.getByTestId("session-runs-link").click();
  await expect(admin.rows("run")).toHaveCount(1);
  await expect(admin.rows("run").first().getByTestId("run-agents")).toHaveText("checker, writer");
  await admin.rows("run").first().getByRole("link").first().click();
  await expect(page.locator('[data-testid="run-agent-row"][data-agent="checker"]')).toBeVisible();
  await expect(page.locator('[data-testid="run-message"][data-tool="calculator"]')).toBeVisible();

  // Deleting the assigned agent is refused, with the reason.
  await page.goto(checkerUrl);
  await admin.confirm("delete-agent");
  await expect(page.getByTestId("delete-agent-form").getByTestId("form-error")).toHaveText(
    "This agent is assigned to a session; remove it from those sessions first.",
  );
  await page.reload();
  await expect(admin.title).toHaveText("checker");

  // A rename in the admin reaches an open chat window over the WebSocket.
  const chatPage = await browser.newPage({ baseURL });
  const chat = new ChatPage(chatPage);
  await chatPage.goto(`/c/${sessionId}`);
  await expect(chat.conversationTitle).toHaveText("Admin wiring");
  await expect(chat.team).toHaveCount(2);
  expect(await chat.team.evaluateAll((items) => items.map((li) => li.getAttribute("data-agent")))).toEqual([
    "checker",
    "writer",
  ]);
  await page.goto(`/admin/sessions/${sessionId}`);
  await admin.input(admin.sessionForm, "title").fill("Renamed by the admin");
  await admin.input(admin.sessionForm, "metadata").fill("[1, 2]");
  await admin.submit(admin.sessionForm, admin.sessionForm.getByTestId("session-save"));
  await expect(admin.fieldError(admin.sessionForm, "metadata")).toHaveText("Must be a JSON object or null.");
  await admin.input(admin.sessionForm, "metadata").fill('{"team": "ops"}');
  await admin.submit(admin.sessionForm, admin.sessionForm.getByTestId("session-save"));
  await expect(admin.formNotice(admin.sessionForm)).toHaveText("Saved.");
  await expect(chat.conversationTitle).toHaveText("Renamed by the admin");
  // So does a change of team: the chat's header shows the agents who will answer now.
  await admin.confirm("remove-writer");
  await expect(admin.assignment("writer")).toHaveCount(0);
  await expect(chat.team).toHaveCount(1);
  await expect(chat.team.first()).toHaveAttribute("data-agent", "checker");
  await chatPage.close();
});

test("messages and runs: filters and search; details show tool input/output and metrics", async ({ page, request }) => {
  const admin = new AdminPage(page);
  const sessionId = await createSession(request, "Filters");
  await send(request, sessionId, "What is 12 * (3 + 4)?");
  await send(request, sessionId, "Tell me a haiku about rivers.");
  await admin.login(USER, PASSWORD, `/admin/messages?session=${sessionId}`);
  const total = Number((await request.get(`/api/messages/?session=${sessionId}`)).headers()["x-total-count"]);
  expect(total).toBeGreaterThanOrEqual(6); // 2 runs: user, researcher, writer each, and a calculator call
  await expect(admin.rows("message")).toHaveCount(total);
  await expect(page.getByTestId("pagination-summary")).toHaveText(`1–${total} of ${total}`);
  await admin.applyFilters({ role: "tool" });
  await expect(admin.rows("message")).toHaveCount(1);
  await expect(admin.rows("message").first()).toHaveAttribute("data-role", "tool");
  // Previews are plain text: the agents' Markdown (headings, emphasis, tables) without its marks.
  for (const preview of await page
    .locator('[data-testid="message-row"][data-role="agent"] [data-testid="message-content"]')
    .allTextContents()) {
    expect(preview).not.toMatch(/\*\*|^#|\n#|\|\s*-{3}/);
  }
  await admin.applyFilters({ role: "user", q: "HAIKU" }); // content, any case, with a role
  await expect(admin.rows("message")).toHaveCount(1);
  await expect(admin.rows("message").first()).toContainText("Tell me a haiku about rivers.");
  await admin.applyFilters({ role: "", q: "calculat" }); // matches the tool name (and agents' mentions)
  await expect(page.locator('[data-testid="message-row"][data-role="tool"]')).toHaveCount(1);
  const texts = await admin.rows("message").allTextContents();
  expect(texts.length).toBeLessThan(total);
  for (const t of texts) expect(t.toLowerCase()).toContain("calculat");
  await page.locator('[data-testid="message-row"][data-role="tool"]').getByRole("link").first().click();
  await expect(page.getByTestId("tool-input")).toContainText('"expression"');
  await expect(page.getByTestId("tool-output")).toContainText("84");
  await expect(page.getByTestId("field-latency")).toContainText("ms");

  await page.goto(`/admin/runs?session=${sessionId}`);
  await expect(admin.rows("run")).toHaveCount(2);
  await admin.applyFilters({ status: "error" });
  await expect(admin.emptyList).toBeVisible();
  await admin.applyFilters({ status: "success", agent: "researcher" });
  await expect(admin.rows("run")).toHaveCount(2);
  await page.goto("/admin/runs?agent=checker");
  await expect(admin.rows("run")).toHaveCount(1); // only the earlier wiring test's run
  await admin.rows("run").first().getByRole("link").first().click();
  await expect(page.getByTestId("run-extra")).toContainText("duration_ms");
});

test("on a phone no admin page is wider than the screen: wide tables scroll in place", async ({ page }) => {
  const admin = new AdminPage(page);
  await admin.login(USER, PASSWORD, "/admin");
  await page.setViewportSize({ width: 360, height: 760 });
  const pages = ["/admin"];
  for (const kind of ["agent", "tool", "session", "message", "run"] as const) {
    const list = `/admin/${kind}s`;
    await page.goto(list);
    pages.push(list, (await admin.rows(kind).first().getByRole("link").first().getAttribute("href"))!);
  }
  for (const path of pages) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});

test("the dashboard charts runs, errors, latency and tokens from the database", async ({ page, request }, testInfo) => {
  const admin = new AdminPage(page);
  const runs = await (await request.get("/api/messages/?limit=1")).headers()["x-total-count"];
  expect(Number(runs)).toBeGreaterThan(0);
  // Thumbs on two agents' turns (ext): counted per agent.
  const messages = (await (await request.get("/api/messages/?role=agent&limit=100")).json()) as Array<{
    id: number;
    agent: { name: string } | null;
  }>;
  const firstOf = (name: string) => messages.find((m) => m.agent?.name === name)!.id;
  for (const [agent, rating] of [
    ["writer", "up"],
    ["researcher", "down"],
  ] as const) {
    const res = await request.put(`/api/messages/${firstOf(agent)}/rating/`, { data: { rating } });
    expect(res.status()).toBe(200);
  }
  await admin.login(USER, PASSWORD, "/admin");
  await expect(admin.title).toHaveText("Dashboard");
  await expect(page.getByTestId("stat-runs")).toContainText("3");
  await expect(admin.chart("runs-chart")).toHaveAttribute("data-total", "3");
  const today = new Date().toISOString().slice(0, 10);
  await expect(admin.chart("runs-chart").locator(`[data-testid="chart-bar"][data-day="${today}"]`)).toHaveAttribute(
    "data-value",
    "3",
  );
  await expect(admin.chart("latency-chart").locator('[data-testid="chart-line"]')).toHaveCount(3); // checker, researcher, writer
  await expect(admin.chart("tokens-chart")).toBeVisible();
  // Round ticks (1, 2 or 5 × 10ⁿ steps, compact: "2K", never "1.3k"), in text big enough to read.
  const ticks = admin.chart("tokens-chart").locator("svg > g").first().locator(":scope > g > text");
  const labels = (await ticks.allTextContents()).map((t) => t.trim());
  expect(labels.length).toBeGreaterThanOrEqual(3);
  const values = labels.map((l) => Number.parseFloat(l) * (l.includes("K") ? 1000 : 1));
  const step = values[1] - values[0];
  expect(String(step)).toMatch(/^[125]0*$|^0\.[0]*[125]$/);
  for (let i = 1; i < values.length; i++) expect(values[i] - values[i - 1]).toBeCloseTo(step);
  expect((await ticks.first().boundingBox())!.height).toBeGreaterThanOrEqual(10);
  // One colour per agent: the dashboard draws the researcher in the chat UI's researcher tone.
  const researcher = admin
    .chart("latency-chart")
    .locator('[data-testid="chart-line"]')
    .filter({
      has: page.locator("title", { hasText: "researcher" }),
    });
  await expect(researcher.locator("path").first()).toHaveCSS("stroke", "rgb(245, 158, 11)");
  await expect(page.getByTestId("stat-error-rate")).toContainText("0.0%");
  const ratings = (agent: string) => page.locator(`[data-testid="ratings-row"][data-agent="${agent}"]`);
  await expect(ratings("writer").getByTestId("ratings-up")).toHaveText("1");
  await expect(ratings("writer").getByTestId("ratings-down")).toHaveText("0");
  await expect(ratings("researcher").getByTestId("ratings-down")).toHaveText("1");
  await admin.screenshot(testInfo, "admin-dashboard");
  await page.getByTestId("range-30").click();
  await expect(page).toHaveURL(/days=30/);
  await expect(admin.chart("runs-chart").locator('[data-testid="chart-bar"]')).toHaveCount(30);
});

test("teams: create with ordered members and tools, reorder, mark default (the next session gets it), delete", async ({
  page,
  request,
}, testInfo) => {
  const admin = new AdminPage(page);
  await admin.login(USER, PASSWORD, "/admin/teams");
  await expect(admin.title).toHaveText("Teams");
  await expect(page.getByTestId("team-row")).toHaveCount(4); // the seeded teams
  await expect(
    page.locator('[data-testid="team-row"][data-name="Research & write"]').getByTestId("default-badge"),
  ).toBeVisible();

  // Create: a writer, then a reviewer with the calculator; a blank name is refused inline first.
  await page.getByTestId("new-team-button").click();
  const form = page.getByTestId("team-form");
  await admin.submit(form, form.getByTestId("team-save"));
  await expect(admin.fieldError(form, "name")).toBeVisible();
  await admin.input(form, "name").fill("Critique");
  await admin.input(form, "description").fill("A writer drafts, a reviewer critiques.");
  const rows = form.getByTestId("member-row");
  await rows.nth(0).getByTestId("member-agent").selectOption({ label: "writer" });
  await form.getByTestId("add-member").click();
  await rows.nth(1).getByTestId("member-agent").selectOption({ label: "reviewer" });
  await rows.nth(1).getByTestId("member-tool-calculator").check();
  await rows.nth(1).getByTestId("member-prompt").fill("Be strict.");
  await admin.submit(form, form.getByTestId("team-save"));
  await expect(page).toHaveURL(/\/admin\/teams\/\d+\?created=1/);
  await expect(admin.title).toHaveText("Critique");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toHaveAttribute("data-agent", "reviewer");
  await expect(rows.nth(1).getByTestId("member-tool-calculator")).toBeChecked();
  await admin.screenshot(testInfo, "admin-team");

  // Reorder: the reviewer first; saved in that order.
  await rows.nth(1).getByTestId("member-up").click();
  await admin.submit(form, form.getByTestId("team-save"));
  await expect(admin.formNotice(form)).toHaveText("Saved.");
  await page.reload();
  await expect(rows.nth(0)).toHaveAttribute("data-agent", "reviewer");
  await expect(rows.nth(0).getByTestId("member-prompt")).toHaveValue("Be strict.");

  // Mark it the default: the next new session gets its members, in order, with their tools.
  await admin.submit(page.getByTestId("default-team-form"), page.getByTestId("make-default"));
  await expect(page.getByTestId("is-default-note")).toBeVisible();
  const created = await (await request.post("/api/sessions/", { data: {} })).json();
  expect(created.assignments.map((a: { agent: { name: string } }) => a.agent.name)).toEqual(["reviewer", "writer"]);
  expect(created.assignments[0].tools.map((t: { name: string }) => t.name)).toEqual(["calculator"]);
  expect(created.assignments[0].prompt_override).toBe("Be strict.");

  // The default cannot be deleted; another one can.
  await admin.confirm("delete-team");
  await expect(page.getByTestId("delete-team-form").getByTestId("form-error")).toContainText("default team");
  await page.goto("/admin/teams");
  await page.locator('[data-testid="team-row"][data-name="Quick answer"]').getByRole("link").click();
  await admin.confirm("delete-team");
  await expect(page).toHaveURL(/\/admin\/teams\?deleted=1/);
  await expect(page.getByTestId("team-row")).toHaveCount(4); // four seeded, one made, one deleted
  await expect(
    page.locator('[data-testid="team-row"][data-name="Critique"]').getByTestId("default-badge"),
  ).toBeVisible();
});

test("the agent form suggests the models the provider offers, and the offline model", async ({ page }) => {
  const admin = new AdminPage(page);
  await admin.login(USER, PASSWORD, "/admin/agents/new");
  await expect(page.getByTestId("model-suggestions").locator("option")).toHaveCount(1);
  await expect(page.getByTestId("model-suggestions").locator("option").first()).toHaveAttribute("value", "offline");
});

/**
 * Teams in the chat UI: picking one on the welcome screen, changing a chat's team from the
 * header (seen live in a second window), the title the first run gives a chat, axe in light and
 * dark. Against the shared server and the offline model.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { ChatPage } from "./pages/chat";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

const agentsOf = (chat: ChatPage) => chat.team.evaluateAll((els) => els.map((e) => e.getAttribute("data-agent")));

test("pick a team on the welcome screen: the chat starts with it, runs it, and is named after its first run", async ({
  page,
}, testInfo) => {
  const chat = new ChatPage(page);
  await chat.gotoHome();
  const options = page.getByTestId("team-option");
  await expect(options).toHaveCount(4);
  await expect(options.filter({ hasText: "Research & write" }).locator("input")).toBeChecked();
  await options.filter({ hasText: "Draft & review" }).click();
  await expect(options.filter({ hasText: "Draft & review" }).locator("input")).toBeChecked();
  await chat.screenshot(testInfo, "welcome-teams");

  await chat.composer.fill("Compare SQLite and PostgreSQL in a table");
  await chat.composer.press("Enter");
  await page.waitForURL(/\/c\//);
  await expect.poll(() => agentsOf(chat)).toEqual(["writer", "reviewer"]);
  await expect(page.getByTestId("team-select")).toHaveValue("Draft & review");

  await chat.waitForRunEnd();
  // A review: the writer's last draft is the answer; the reviewer approves it in the last round.
  await expect(chat.heroAnswers().last().locator("table th")).toHaveText(["Aspect", "SQLite", "PostgreSQL"]);
  await expect(chat.finishedAgentMessages("reviewer").last()).toContainText("Approved");
  const sessionId = chat.currentSessionId();
  await expect(chat.sessionItem(sessionId).getByTestId("session-title")).toHaveText("SQLite vs. PostgreSQL");
  await expect(chat.conversationTitle).toHaveText("SQLite vs. PostgreSQL");
});

test("changing the chat's team in the header updates a second open window", async ({ page, context, request }) => {
  const res = await request.post("/api/sessions/", { data: { title: "Two windows" } });
  const sessionId = (await res.json()).session_id as string;
  const first = new ChatPage(page);
  const second = new ChatPage(await context.newPage());
  await first.gotoSession(sessionId);
  await second.gotoSession(sessionId);
  await second.waitForConnected();
  await expect(second.page.getByTestId("team-select")).toHaveValue("Research & write");

  await page.getByTestId("team-select").selectOption("Quick answer");
  await expect.poll(() => agentsOf(first)).toEqual(["writer"]);
  await expect(second.page.getByTestId("team-select")).toHaveValue("Quick answer");
  await expect.poll(() => agentsOf(second)).toEqual(["writer"]);
  const session = await (await request.get(`/api/sessions/${sessionId}/`)).json();
  expect(session.assignments.map((a: { agent: { name: string } }) => a.agent.name)).toEqual(["writer"]);
  expect(session.title).toBe("Two windows");
});

test("a title the person gave is kept after the first run", async ({ page, request }) => {
  const res = await request.post("/api/sessions/", { data: { title: "My own title" } });
  const sessionId = (await res.json()).session_id as string;
  const chat = new ChatPage(page);
  await chat.gotoSession(sessionId);
  // Loaded first: a chat whose title has not arrived yet looks untitled to the composer.
  await expect(chat.conversationTitle).toHaveText("My own title");
  await chat.send("What is 2 + 2?");
  await chat.waitForRunEnd();
  await expect(chat.conversationTitle).toHaveText("My own title");
  await chat.send("And 3 + 3?");
  await chat.waitForRunEnd();
  expect((await (await request.get(`/api/sessions/${sessionId}/`)).json()).title).toBe("My own title");
});

for (const scheme of ["light", "dark"] as const) {
  test(`teams UI: no serious or critical axe violations (${scheme})`, async ({ page, request }, testInfo) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    const chat = new ChatPage(page);
    await chat.gotoHome();
    await expect(page.getByTestId("team-option")).toHaveCount(4);
    await expect(page.getByTestId("sessions-skeleton")).toHaveCount(0);
    expect(await seriousViolations(page)).toEqual([]);

    const res = await request.post("/api/sessions/", { data: { title: `Teams ${scheme}` } });
    await chat.gotoSession((await res.json()).session_id);
    await expect(page.getByTestId("team-select")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await chat.screenshot(testInfo, `team-select-${scheme}`);
  });
}

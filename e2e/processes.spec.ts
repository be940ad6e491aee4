/**
 * The review and consult processes in the chat: a review's rounds and verdicts, and a
 * consultation's who-asked-whom, inside the turn's "how we got here" strip; axe-clean and
 * screenshotted in light and dark, desktop and phone. Against the shared server and the offline
 * model (changes requested in round 1, approval in round 2; the writer asks the researcher once).
 */
import { expect, type Page, test } from "@playwright/test";
import { seriousViolations } from "./pages/axe";
import { ChatPage } from "./pages/chat";

async function runIn(page: Page, team: string, question: string): Promise<ChatPage> {
  const res = await page.request.post("/api/sessions/", { data: { title: team, team } });
  const chat = new ChatPage(page);
  await chat.gotoSession((await res.json()).session_id);
  await chat.waitForConnected();
  await chat.send(question);
  await chat.waitForRunEnd();
  await chat.openWork();
  return chat;
}

test("a review run shows its rounds and verdicts in the strip; the revised draft is the answer", async ({ page }) => {
  const chat = await runIn(page, "Draft & review", "Explain how vaccines work");
  const rounds = page.getByTestId("process-round");
  await expect(rounds).toHaveCount(2);
  await expect(rounds.nth(0)).toHaveAttribute("data-verdict", "changes");
  await expect(rounds.nth(0)).toContainText("Writer drafted · Reviewer:");
  await expect(rounds.nth(0)).toContainText("Changes requested");
  await expect(rounds.nth(0).getByTestId("process-notes")).toContainText("one-line summary");
  await expect(rounds.nth(1)).toHaveAttribute("data-verdict", "approve");
  await expect(rounds.nth(1)).toContainText("Writer revised");
  await expect(rounds.nth(1)).toContainText("Approved");
  await expect(chat.workToggle).toContainText("2 rounds · approved");
  const answer = chat.heroAnswers().last();
  await expect(answer).toHaveAttribute("data-agent", "writer");
  await expect(answer).toContainText("In short:");
});

test("a consultation shows who asked whom, and the question", async ({ page }) => {
  const chat = await runIn(page, "Ask the expert", "Compare SQLite and PostgreSQL");
  const asked = page.getByTestId("consultation");
  await expect(asked).toHaveCount(1);
  await expect(asked).toContainText("Writer asked Researcher");
  await expect(asked).toContainText("What should I know about SQLite and PostgreSQL?");
  await expect(chat.workToggle).toContainText("1 question");
  // Its agents are Research & write's: the header still names the real team.
  await expect(page.getByTestId("team-select")).toHaveValue("Ask the expert");
  await expect(chat.heroAnswers().last()).toHaveAttribute("data-agent", "writer");
});

for (const scheme of ["light", "dark"] as const) {
  for (const device of ["desktop", "phone"] as const) {
    test(`processes in the strip: axe-clean, screenshots (${scheme}, ${device})`, async ({ page }, testInfo) => {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
      if (device === "phone") await page.setViewportSize({ width: 390, height: 844 });
      for (const [team, question, name] of [
        ["Draft & review", "Compare SQLite and PostgreSQL in a table", "review"],
        ["Ask the expert", "Compare SQLite and PostgreSQL", "consult"],
      ] as const) {
        const chat = await runIn(page, team, question);
        await expect(page.getByTestId("process-steps")).toBeVisible();
        await page.getByTestId("process-steps").scrollIntoViewIfNeeded();
        expect(await seriousViolations(page)).toEqual([]);
        await chat.screenshot(testInfo, `process-${name}-${scheme}-${device}`);
      }
    });
  }
}

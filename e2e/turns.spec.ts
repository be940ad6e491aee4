/**
 * Turns you can act on (issue 11), in Chromium against the real server and the offline model:
 * message actions (copy, thumbs), the answer as hero with the work folded above it, the keyboard,
 * and the accessibility of these states. Each action by mouse and by keyboard.
 */
import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { ChatPage } from "./pages/chat";

const MATH_QUESTION = "What is 17 * 23 + 4? Explain the order of operations.";
const LONG_QUESTION =
  "Compare SQLite and PostgreSQL for a small team's internal tool: setup, backups, concurrency, JSON support, hosting cost and migration paths. Give a table and a recommendation.";

async function sessionWithAnswer(request: APIRequestContext, title: string, content = MATH_QUESTION) {
  const res = await request.post("/api/sessions/", { data: { title } });
  const id = (await res.json()).session_id as string;
  const sent = await request.post(`/api/sessions/${id}/send/`, { data: { content } });
  expect(sent.status()).toBe(200);
  return { id, messages: (await sent.json()) as Array<{ id: number; role: string; agent: { name: string } | null }> };
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
}

const isMac = process.platform === "darwin";
const mod = isMac ? "Meta" : "Control";

test.describe("turns", () => {
  test("copy as Markdown and thumbs on an agent's turn, by mouse and keyboard; another window sees the rating", async ({
    page,
    context,
    request,
  }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const chat = new ChatPage(page);
    const { id, messages } = await sessionWithAnswer(request, "Actions");
    const writerId = messages.find((m) => m.agent?.name === "writer")!.id;
    await chat.gotoSession(id);
    const answer = chat.heroAnswers();
    await expect(answer).toHaveAttribute("data-message-id", String(writerId));

    // Copy by mouse: the message's Markdown, exactly as stored.
    const stored = (await (await request.get(`/api/messages/${writerId}/`)).json()).content as string;
    await answer.getByTestId("message-copy").click();
    await expect(answer.getByTestId("message-copy")).toContainText("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(stored);

    // Thumbs up by mouse: pressed, stored.
    await answer.getByTestId("rate-up").click();
    await expect(answer.getByTestId("rate-up")).toHaveAttribute("aria-pressed", "true");
    await expect.poll(async () => (await (await request.get(`/api/messages/${writerId}/`)).json()).rating).toBe("up");

    // A second window of the chat follows live.
    const other = await context.newPage();
    const chat2 = new ChatPage(other);
    await chat2.gotoSession(id);
    await chat2.waitForConnected();
    await expect(chat2.heroAnswers().getByTestId("rate-up")).toHaveAttribute("aria-pressed", "true");

    // Thumbs down by keyboard: reachable by Tab, labelled, pressed with Enter.
    await answer.getByTestId("rate-up").focus();
    await page.keyboard.press("Tab");
    await expect(answer.getByTestId("rate-down")).toBeFocused();
    await expect(answer.getByTestId("rate-down")).toHaveAccessibleName("Bad answer");
    await page.keyboard.press("Enter");
    await expect(answer.getByTestId("rate-down")).toHaveAttribute("aria-pressed", "true");
    await expect(answer.getByTestId("rate-up")).toHaveAttribute("aria-pressed", "false");
    await expect(chat2.heroAnswers().getByTestId("rate-down")).toHaveAttribute("aria-pressed", "true");
    // Pressing it again takes it back.
    await page.keyboard.press("Space");
    await expect(answer.getByTestId("rate-down")).toHaveAttribute("aria-pressed", "false");
    await expect.poll(async () => (await (await request.get(`/api/messages/${writerId}/`)).json()).rating).toBe(null);

    // The user's message has Copy (by keyboard) but no thumbs; its actions appear on focus.
    const mine = chat.userMessages.first();
    await expect(mine.getByTestId("rate-up")).toHaveCount(0);
    await mine.getByTestId("message-copy").focus();
    await expect(mine.getByTestId("message-actions")).toHaveCSS("opacity", "1");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(MATH_QUESTION);
    await other.close();
  });

  test("the answer is the hero: the work strip is open while the researcher works, folds when the writer starts, and the reader's choice is remembered", async ({
    page,
  }, testInfo) => {
    const chat = new ChatPage(page);
    await chat.gotoHome();
    await chat.newChat();
    // The strip's state at every change of the page while the researcher streams, recorded in the
    // page itself: a check from the test could land after the researcher's short turn (a busy machine).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __strip: string[] }).__strip = seen;
      new MutationObserver(() => {
        if (!document.querySelector('[data-agent="researcher"][data-streaming]')) return;
        const toggles = document.querySelectorAll('[data-testid="work-toggle"]');
        seen.push(toggles[toggles.length - 1]?.getAttribute("aria-expanded") ?? "none");
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await chat.send(MATH_QUESTION);
    // While the researcher works, its message (and the tool card) show in the open strip.
    await expect(chat.streamingMessage("researcher")).toBeVisible({ timeout: 20_000 });
    await chat.screenshot(testInfo, "work-open-while-streaming");
    // The writer starts: the strip folds, the writer's answer is the hero.
    await expect(chat.agentMessages("writer")).toHaveCount(1, { timeout: 30_000 });
    await expect(chat.workToggle).toHaveAttribute("aria-expanded", "false");
    await expect(chat.agentMessages("researcher")).toBeHidden();
    const strip = await page.evaluate(() => [...new Set((window as unknown as { __strip: string[] }).__strip)]);
    expect(strip).toEqual(["true"]);
    await chat.waitForRunEnd();
    await expect(chat.heroAnswers()).toHaveAttribute("data-agent", "writer");
    await expect(chat.workToggle).toContainText(/1 tool · Researcher \d+(\.\d)? m?s/);
    // Agents told apart by more than colour: an initial and the name.
    await expect(chat.heroAnswers().getByTestId("agent-name")).toHaveText("Writer");

    // Open by keyboard.
    await chat.workToggle.focus();
    await page.keyboard.press("Enter");
    await expect(chat.workToggle).toHaveAttribute("aria-expanded", "true");
    await expect(chat.finishedAgentMessages("researcher")).toBeVisible();
    await chat.screenshot(testInfo, "work-open");

    // The choice (open) is remembered: after a reload, the finished turn shows its work.
    await page.reload();
    await expect(chat.finishedAgentMessages("researcher")).toBeVisible();
    await expect(chat.workToggle).toHaveAttribute("aria-expanded", "true");
    // Fold by mouse; remembered too.
    await chat.workToggle.click();
    await expect(chat.finishedAgentMessages("researcher")).toBeHidden();
    await page.reload();
    await expect(chat.finishedAgentMessages("writer")).toBeVisible();
    await expect(chat.workToggle).toHaveAttribute("aria-expanded", "false");
  });

  test("keyboard: ? and Ctrl+/ open the shortcuts (Esc closes, focus returns), Ctrl+K opens the search, Ctrl+Shift+O starts a chat, Esc stops a run", async ({
    page,
    request,
  }) => {
    const chat = new ChatPage(page);
    const { id } = await sessionWithAnswer(request, "Keyboard chat");
    await chat.gotoSession(id);
    await chat.waitForConnected();

    // `?` outside a field opens the dialog; inside the composer it is just text.
    await chat.composer.focus();
    await page.keyboard.type("?");
    await expect(chat.composer).toHaveValue("?");
    await expect(chat.shortcutsDialog).toBeHidden();
    await chat.composer.fill("");
    await chat.messageList.focus();
    await page.keyboard.press("?");
    await expect(chat.shortcutsDialog).toBeVisible();
    await expect(chat.shortcutsDialog).toHaveAccessibleName("Keyboard shortcuts");
    await expect(chat.shortcutsDialog).toContainText("Search chats");
    await expect(page.getByTestId("shortcuts-close")).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(chat.shortcutsDialog).toBeHidden();
    await expect(chat.messageList).toBeFocused();
    // Ctrl+/ from the composer; closed by mouse.
    await chat.composer.focus();
    await page.keyboard.press(`${mod}+/`);
    await expect(chat.shortcutsDialog).toBeVisible();
    await page.getByTestId("shortcuts-close").click();
    await expect(chat.shortcutsDialog).toBeHidden();
    await expect(chat.composer).toBeFocused();

    // Ctrl+K opens the search (search.spec.ts has the rest); Esc gives focus back.
    await page.keyboard.press(`${mod}+k`);
    await expect(chat.searchInput).toBeFocused();
    await page.keyboard.type("keyboard");
    await expect(chat.searchOptions.and(page.locator(`[data-kind="chat"][data-session-id="${id}"]`))).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(chat.searchDialog).toBeHidden();
    await expect(chat.composer).toBeFocused();

    // Ctrl+Shift+O starts a new chat (the empty composer at /, stored on its first send), the composer ready.
    await chat.composer.focus();
    await page.keyboard.press(`${mod}+Shift+O`);
    await page.waitForURL((u) => u.pathname === "/");
    await expect(chat.emptyState).toBeVisible();
    await expect(chat.composer).toBeFocused();

    // Esc stops a run.
    await chat.waitForConnected();
    await chat.send(LONG_QUESTION);
    await expect(
      chat
        .streamingMessage()
        .filter({ has: page.getByTestId("message-content") })
        .first(),
    ).toBeVisible({
      timeout: 20_000,
    });
    await page.keyboard.press("Escape");
    await chat.waitForRunEnd(20_000);
    await expect(page.getByTestId("message-cancelled").first()).toBeAttached();
    await expect(chat.liveRegion).toHaveText("Stopped.");
  });

  test("↑ in an empty composer edits the last message in place; Esc leaves it unchanged; Edit by mouse too", async ({
    page,
    request,
  }) => {
    const chat = new ChatPage(page);
    const { id } = await sessionWithAnswer(request, "Edit chat");
    await chat.gotoSession(id);
    await chat.composer.focus();
    await page.keyboard.press("ArrowUp");
    const box = page.getByTestId("edit-input");
    await expect(box).toBeFocused();
    await expect(box).toHaveValue(MATH_QUESTION);
    await page.keyboard.press("Escape");
    await expect(box).toHaveCount(0);
    await expect(chat.composer).toBeFocused();
    await expect(chat.userMessages.first().getByTestId("message-content")).toHaveText(MATH_QUESTION);

    // By mouse: Edit, Cancel.
    await chat.userMessages.first().hover();
    await chat.userMessages.first().getByTestId("message-edit").click();
    await expect(box).toBeFocused();
    await page.getByTestId("edit-cancel").click();
    await expect(box).toHaveCount(0);
  });

  for (const scheme of ["light", "dark"] as const) {
    for (const viewport of [
      { name: "desktop", width: 1280, height: 800 },
      { name: "phone", width: 390, height: 844 },
    ]) {
      test(`accessibility of turns: folded, open, rated, editing, shortcuts (${scheme}, ${viewport.name})`, async ({
        page,
        request,
      }, testInfo) => {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
        const chat = new ChatPage(page);
        const { id } = await sessionWithAnswer(request, `Axe turns ${scheme} ${viewport.name}`);
        await chat.gotoSession(id);
        await expect(chat.heroAnswers()).toBeVisible();
        await chat.heroAnswers().getByTestId("rate-up").click();
        await expect(chat.heroAnswers().getByTestId("rate-up")).toHaveAttribute("aria-pressed", "true");
        expect(await seriousViolations(page)).toEqual([]);
        await chat.openWork();
        await chat.userMessages.first().getByTestId("message-copy").focus();
        expect(await seriousViolations(page)).toEqual([]);
        await chat.screenshot(testInfo, `turn-${scheme}-${viewport.name}`);
        await chat.userMessages.first().getByTestId("message-edit").click();
        await expect(page.getByTestId("edit-input")).toBeFocused();
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByTestId("edit-cancel").click();
        await chat.messageList.focus();
        await page.keyboard.press("?");
        await expect(chat.shortcutsDialog).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
        await chat.screenshot(testInfo, `shortcuts-${scheme}-${viewport.name}`);
      });
    }
  }
});

/**
 * Ctrl/Cmd+K: the search dialog (chats by title, messages by their words) in Chromium: a combobox
 * and its listbox, ↑/↓ and Enter, a click, Esc giving focus back; a message result opens its chat
 * scrolled to the message and highlighted. Desktop and phone, axe-clean in light and dark.
 */
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { seriousViolations } from "./pages/axe";
import { ChatPage } from "./pages/chat";

const mod = process.platform === "darwin" ? "Meta" : "Control";

/**
 * A chat whose agents' answers hold a number found nowhere else: the product of two random
 * factors (the question holds only the factors; the calculator and the writer give the product).
 */
async function chatWithUniqueAnswer(request: APIRequestContext, title: string) {
  const a = 1000 + Math.floor(Math.random() * 8000);
  const b = 10_000 + Math.floor(Math.random() * 80_000);
  const res = await request.post("/api/sessions/", { data: { title } });
  const id = (await res.json()).session_id as string;
  const sent = await request.post(`/api/sessions/${id}/send/`, { data: { content: `What is ${a} * ${b}?` } });
  expect(sent.status()).toBe(200);
  const messages = (await sent.json()) as Array<{
    id: number;
    role: string;
    content: string;
    agent: { name: string } | null;
  }>;
  const word = String(a * b);
  const writer = messages.find((m) => m.agent?.name === "writer" && m.role === "agent")!;
  expect(writer.content).toContain(word);
  return { id, word, messages, writer: writer.id };
}

async function otherChat(request: APIRequestContext, title: string) {
  const res = await request.post("/api/sessions/", { data: { title } });
  return (await res.json()).session_id as string;
}

/** Moves the combobox's active option (↓) to the one matching `selector`; returns it. */
async function arrowTo(page: Page, selector: string) {
  const options = page.getByTestId("search-option");
  const index = await options.evaluateAll((els, sel) => els.findIndex((e) => e.matches(sel)), selector);
  expect(index).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
  const option = options.nth(index);
  await expect(option).toHaveAttribute("aria-selected", "true");
  const id = await option.getAttribute("id");
  await expect(page.getByTestId("search-input")).toHaveAttribute("aria-activedescendant", id!);
  return option;
}

test.describe("search", () => {
  test("Ctrl+K, a word only in another chat's answer, ↓ and Enter: that chat opens with the message highlighted; a click opens a folded one", async ({
    page,
    request,
  }) => {
    const chat = new ChatPage(page);
    const target = await chatWithUniqueAnswer(request, "Search target");
    const here = await otherChat(request, "Where I am");
    await chat.gotoSession(here);
    await chat.composer.focus();

    await page.keyboard.press(`${mod}+k`);
    await expect(chat.searchDialog).toBeVisible();
    await expect(chat.searchDialog).toHaveAccessibleName("Search chats and messages");
    const input = chat.searchInput;
    await expect(input).toBeFocused();
    await expect(input).toHaveAttribute("role", "combobox");
    await page.keyboard.type(target.word);
    const writerHit = `[data-kind="message"][data-role="agent"][data-agent="writer"][data-session-id="${target.id}"]`;
    await expect(page.locator(writerHit)).toBeVisible();
    // Every result is from the target chat (the number is nowhere else); its matches are marked.
    const sessions = await chat.searchOptions.evaluateAll((els) => els.map((e) => e.getAttribute("data-session-id")));
    expect(new Set(sessions)).toEqual(new Set([target.id]));
    await expect(page.locator(writerHit).locator("mark").first()).toHaveText(target.word);
    await expect(input).toHaveAttribute("aria-expanded", "true");

    // ↓ to the writer's answer, Enter: its chat opens, scrolled to it, highlighted for a moment.
    await arrowTo(page, writerHit);
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.pathname === `/c/${target.id}` && u.searchParams.get("m") === String(target.writer));
    await expect(chat.searchDialog).toBeHidden();
    const message = page.locator(`[data-testid="message"][data-message-id="${target.writer}"]`);
    await expect(message).toHaveAttribute("data-highlighted", "");
    await expect(message).toBeInViewport();
    await expect(message).not.toHaveAttribute("data-highlighted", "", { timeout: 5_000 });

    // By mouse: the researcher's note, folded under "How we got here", opens the strip and shows.
    const researcher = target.messages.find((m) => m.agent?.name === "researcher" && m.role === "agent")!;
    await page.keyboard.press(`${mod}+k`);
    await page.keyboard.type(target.word);
    const researcherHit = page.locator(
      `[data-kind="message"][data-role="agent"][data-agent="researcher"][data-session-id="${target.id}"]`,
    );
    await researcherHit.click();
    await page.waitForURL((u) => u.searchParams.get("m") === String(researcher.id));
    const note = page.locator(`[data-testid="message"][data-message-id="${researcher.id}"]`);
    await expect(note).toBeVisible();
    await expect(note).toHaveAttribute("data-highlighted", "");
    await expect(chat.workToggle).toHaveAttribute("aria-expanded", "true");
  });

  test("chats by title; Esc closes and focus returns; no match says so; the server's text is never HTML", async ({
    page,
    request,
  }) => {
    const chat = new ChatPage(page);
    const stamp = Date.now();
    const titled = await otherChat(request, `Quokka plans ${stamp}`);
    const evil = await otherChat(request, `<img src=x onerror="window.__xss=1"> quokka ${stamp}`);
    await chat.gotoSession(titled);
    await expect(chat.sessionItem(evil)).toBeVisible();
    await chat.composer.focus();
    await page.keyboard.press(`${mod}+k`);
    await page.keyboard.type(`quokka ${stamp}`);
    const chats = chat.searchOptions.and(page.locator('[data-kind="chat"]'));
    await expect(chats).toHaveCount(2);
    await expect(chat.searchDialog).not.toContainText("Searching");
    expect(await page.locator('[data-testid="search-dialog"] img').count()).toBe(0);
    await expect(chats.filter({ hasText: "<img" })).toHaveCount(1);

    await page.keyboard.press("Escape");
    await expect(chat.searchDialog).toBeHidden();
    await expect(chat.composer).toBeFocused();

    await page.keyboard.press(`${mod}+k`);
    await page.keyboard.type(`zz${stamp}qq`);
    await expect(page.getByTestId("search-status")).toContainText("No chats or messages match.");
    await expect(chat.searchInput).toHaveAttribute("aria-expanded", "false");
    // The close button by mouse.
    await page.getByTestId("search-close").click();
    await expect(chat.searchDialog).toBeHidden();
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  });

  test("phone: Ctrl+K opens the dialog; Enter on a chat opens it", async ({ page, request }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const chat = new ChatPage(page);
    const stamp = Date.now();
    const wanted = await otherChat(request, `Phone wombat ${stamp}`);
    const here = await otherChat(request, "Phone here");
    await chat.gotoSession(here);
    await chat.composer.focus();
    await page.keyboard.press(`${mod}+k`);
    await expect(chat.searchDialog).toBeVisible();
    await expect(chat.searchInput).toBeFocused();
    await page.keyboard.type(`wombat ${stamp}`);
    await arrowTo(page, `[data-kind="chat"][data-session-id="${wanted}"]`);
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/c/${wanted}`);
    await expect(chat.conversationTitle).toHaveText(`Phone wombat ${stamp}`);
  });

  for (const scheme of ["light", "dark"] as const) {
    for (const viewport of [
      { name: "desktop", width: 1280, height: 800 },
      { name: "phone", width: 390, height: 844 },
    ]) {
      test(`accessibility of the search dialog with results (${scheme}, ${viewport.name})`, async ({
        page,
        request,
      }, testInfo) => {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
        const chat = new ChatPage(page);
        const target = await chatWithUniqueAnswer(request, `Axe search ${scheme} ${viewport.name}`);
        await chat.gotoSession(target.id);
        await page.keyboard.press(`${mod}+k`);
        await page.keyboard.type(target.word);
        await expect(chat.searchOptions.first()).toBeVisible();
        await page.keyboard.press("ArrowDown");
        expect(await seriousViolations(page)).toEqual([]);
        await chat.screenshot(testInfo, `search-${scheme}-${viewport.name}`);
        await page.keyboard.press("Escape");
        await page.keyboard.press(`${mod}+k`);
        await expect(chat.searchInput).toBeFocused();
        expect(await seriousViolations(page)).toEqual([]);
      });
    }
  }
});

/**
 * Page object for the chat UI. Tests talk to the page through this, selecting by data-testid,
 * so markup can change without rewriting tests.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Locator, type Page, type TestInfo } from "@playwright/test";

export class ChatPage {
  constructor(readonly page: Page) {}

  // ---- locators --------------------------------------------------------------------------

  get header(): Locator {
    return this.page.getByTestId("app-header");
  }
  /** The session's agents in the conversation header, one `li[data-agent]` each, in order. */
  get team(): Locator {
    return this.page.getByTestId("conversation-agents").locator("li");
  }
  get connection(): Locator {
    return this.page.getByTestId("connection-status");
  }
  get newChatButton(): Locator {
    return this.page.getByTestId("new-session-button");
  }
  get composer(): Locator {
    return this.page.getByTestId("composer-input");
  }
  get sendButton(): Locator {
    return this.page.getByTestId("send-button");
  }
  get stopButton(): Locator {
    return this.page.getByTestId("stop-button");
  }
  get composerHint(): Locator {
    return this.page.getByTestId("composer-hint");
  }
  get sendError(): Locator {
    return this.page.getByTestId("send-error");
  }
  get runStatus(): Locator {
    return this.page.getByTestId("run-status");
  }
  get messageList(): Locator {
    return this.page.getByTestId("message-list");
  }
  get messages(): Locator {
    return this.page.getByTestId("message");
  }
  get userMessages(): Locator {
    return this.page.locator('[data-testid="message"][data-role="user"]');
  }
  get toolCards(): Locator {
    return this.page.getByTestId("tool-card");
  }
  get conversationTitle(): Locator {
    return this.page.getByTestId("conversation-title");
  }
  get emptyState(): Locator {
    return this.page.getByTestId("empty-state");
  }
  get liveRegion(): Locator {
    return this.page.getByTestId("live-region");
  }
  get drawer(): Locator {
    return this.page.getByTestId("drawer");
  }
  get drawerToggle(): Locator {
    return this.page.getByTestId("sidebar-toggle");
  }

  /** The latest turn's "How we got here" strip button. */
  get workToggle(): Locator {
    return this.page.getByTestId("work-toggle").last();
  }
  get searchDialog(): Locator {
    return this.page.getByTestId("search-dialog");
  }
  get searchInput(): Locator {
    return this.page.getByTestId("search-input");
  }
  get searchOptions(): Locator {
    return this.page.getByTestId("search-option");
  }
  get queued(): Locator {
    return this.page.getByTestId("queued-message");
  }
  get steerButton(): Locator {
    return this.page.getByTestId("steer-button");
  }
  /** The latest turn's footer (failure, Retry/Continue, Regenerate, answer versions). */
  get turnFooter(): Locator {
    return this.page.getByTestId("turn-footer").last();
  }
  get shortcutsDialog(): Locator {
    return this.page.getByTestId("shortcuts-dialog");
  }
  /** The agent message that is a turn's answer (the hero), latest first. */
  heroAnswers(): Locator {
    return this.page.locator('[data-testid="turn"] > [data-testid="message"][data-role="agent"]');
  }

  /** Opens the latest turn's folded work (earlier agents, tool calls). */
  async openWork(): Promise<void> {
    if ((await this.workToggle.getAttribute("aria-expanded")) !== "true") await this.workToggle.click();
    await expect(this.workToggle).toHaveAttribute("aria-expanded", "true");
  }

  /** Messages of one agent (by name, e.g. "researcher"). */
  agentMessages(agent: string): Locator {
    return this.page.locator(`[data-testid="message"][data-role="agent"][data-agent="${agent}"]`);
  }

  /** The agent's finished (not streaming) messages. */
  finishedAgentMessages(agent: string): Locator {
    return this.page.locator(`[data-testid="message"][data-role="agent"][data-agent="${agent}"]:not([data-streaming])`);
  }

  streamingMessage(agent?: string): Locator {
    const a = agent ? `[data-agent="${agent}"]` : "";
    return this.page.locator(`[data-testid="message"][data-role="agent"]${a}[data-streaming]`);
  }

  /** The session list items that are visible (the sidebar, or the drawer when it is open). */
  sessionItems(): Locator {
    return this.page.getByTestId("session-item").filter({ visible: true });
  }

  sessionItem(sessionId: string): Locator {
    return this.page.locator(`[data-testid="session-item"][data-session-id="${sessionId}"]`).filter({ visible: true });
  }

  get filter(): Locator {
    return this.page.getByTestId("session-filter").filter({ visible: true });
  }

  // ---- navigation ------------------------------------------------------------------------

  async gotoHome(): Promise<void> {
    await this.page.goto("/");
    await expect(this.composer).toBeVisible();
  }

  /** Opens a chat and waits until its history is shown (keys pressed before act on nothing). */
  async gotoSession(sessionId: string, query = ""): Promise<void> {
    await this.page.goto(`/c/${encodeURIComponent(sessionId)}${query}`);
    await this.waitForLoaded();
  }

  async waitForLoaded(): Promise<void> {
    await expect(this.page.getByTestId("conversation")).toHaveAttribute("data-phase", "ready", { timeout: 15_000 });
  }

  /** The session id of the open conversation, from the URL. */
  currentSessionId(): string {
    const m = /\/c\/([^/?#]+)/.exec(this.page.url());
    if (!m) throw new Error(`not on a session page: ${this.page.url()}`);
    return decodeURIComponent(m[1]);
  }

  async waitForConnected(): Promise<void> {
    await expect(this.connection).toHaveAttribute("data-state", "connected", { timeout: 15_000 });
  }

  // ---- actions ---------------------------------------------------------------------------

  /**
   * Clicks "New chat" and waits for the empty composer at `/`: nothing is stored until the first
   * send, which opens the new chat at `/c/<id>` (then `currentSessionId()` names it).
   */
  async newChat(): Promise<void> {
    // A click before the page has hydrated does nothing (seen in CI right after signing up):
    // clicked again until it has taken effect.
    await expect(async () => {
      await this.newChatButton.click();
      await this.page.waitForURL((u) => u.pathname === "/", { timeout: 2_000 });
      await expect(this.page.getByTestId("home")).toBeVisible({ timeout: 2_000 });
      await expect(this.composer).toBeFocused({ timeout: 2_000 });
    }).toPass({ timeout: 15_000 });
  }

  /** Types into the composer and presses Enter; waits for the user message to appear (a first send: in its new chat). */
  async send(text: string): Promise<void> {
    const count = await this.userMessages.count();
    await this.composer.fill(text);
    await this.composer.press("Enter");
    await expect(this.userMessages).toHaveCount(count + 1, { timeout: 15_000 });
  }

  /** Waits until no run is going (Stop gone, status line empty). */
  async waitForRunEnd(timeout = 45_000): Promise<void> {
    await expect(this.stopButton).toHaveCount(0, { timeout });
    await expect(this.runStatus).toHaveCount(0, { timeout });
  }

  /**
   * What is wrong with the header's layout at this width: a control that reaches past the
   * viewport, or two controls drawn over each other. Empty when every control is in view.
   */
  async headerLayoutProblems(): Promise<string[]> {
    return this.header.evaluate((header) => {
      const controls = [...header.querySelectorAll<HTMLElement>("a, button, select, [data-testid=connection-status]")]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => ({ name: el.dataset.testid ?? el.tagName, box: el.getBoundingClientRect() }));
      const problems: string[] = [];
      for (const { name, box } of controls)
        if (box.left < 0 || box.right > window.innerWidth) problems.push(`${name} reaches past the viewport`);
      for (const [i, a] of controls.entries())
        for (const b of controls.slice(i + 1)) {
          const overlap =
            Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left) > 1 &&
            Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top) > 1;
          if (overlap) problems.push(`${a.name} and ${b.name} overlap`);
        }
      return problems;
    });
  }

  async openDrawer(): Promise<void> {
    await this.drawerToggle.click();
    await expect(this.drawer).toBeVisible();
  }

  async renameSession(sessionId: string, title: string): Promise<void> {
    const item = this.sessionItem(sessionId);
    await item.hover();
    await item.getByTestId("session-rename-button").click();
    const input = this.page.getByTestId("session-rename-input");
    await expect(input).toBeFocused();
    await input.fill(title);
    await input.press("Enter");
    await expect(this.sessionItem(sessionId).getByTestId("session-title")).toHaveText(title);
  }

  async deleteSession(sessionId: string): Promise<void> {
    const item = this.sessionItem(sessionId);
    await item.hover();
    await item.getByTestId("session-delete-button").click();
    const dialog = this.page.getByTestId("confirm-dialog").filter({ visible: true });
    await expect(dialog).toBeVisible();
    await dialog.getByTestId("confirm-delete-button").click();
    await expect(this.sessionItem(sessionId)).toHaveCount(0);
  }

  /** Text of a message's rendered content. */
  async contentOf(message: Locator): Promise<string> {
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is wanted (line breaks between blocks, as a reader sees it); Playwright's textContent() also differs in type (string | null).
    return (await message.getByTestId("message-content").first().innerText()).trim();
  }

  // ---- evidence --------------------------------------------------------------------------

  /** Saves a screenshot to test-results/screenshots/ and attaches it to the report. */
  async screenshot(testInfo: TestInfo, name: string): Promise<void> {
    const dir = path.join(process.cwd(), "test-results", "screenshots");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    const body = await this.page.screenshot({ path: file });
    await testInfo.attach(name, { body, contentType: "image/png" });
  }
}

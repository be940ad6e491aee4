/**
 * The chat UI end to end, against the real server and the offline model (which streams slowly
 * enough, TANDEM_OFFLINE_DELAY_MS, to watch tokens arrive and to press Stop).
 * Everything is selected by data-testid through the page object in ./pages/chat.ts.
 */
import { type APIRequestContext, expect, test, type WebSocketRoute } from "@playwright/test";
import { seedHistory } from "@/bench/seed";
import { seriousViolations } from "./pages/axe";
import { ChatPage } from "./pages/chat";

/** A question that makes the researcher use the calculator, then the writer answer. */
const MATH_QUESTION = "What is 17 * 23 + 4? Explain the order of operations.";
const LONG_QUESTION =
  "Compare SQLite and PostgreSQL for a small team's internal tool: setup, backups, concurrency, JSON support, hosting cost and migration paths. Give a table and a recommendation.";

async function createSession(request: APIRequestContext, title: string): Promise<string> {
  const res = await request.post("/api/sessions/", { data: { title } });
  expect(res.status()).toBe(201);
  return (await res.json()).session_id as string;
}

/** Sends through the REST API and waits until the run is over (history has both agents). */
async function sendAndWait(request: APIRequestContext, sessionId: string, content: string): Promise<void> {
  const res = await request.post(`/api/sessions/${sessionId}/send/`, { data: { content, async: true } });
  expect(res.status()).toBe(202);
  await expect
    .poll(
      async () => {
        const state = await (await request.get(`/api/sessions/${sessionId}/state/`)).json();
        return state.run === null;
      },
      { timeout: 45_000 },
    )
    .toBe(true);
}

test.describe("chat", () => {
  test("create a session, send, watch tokens stream and both agents answer", async ({ page }, testInfo) => {
    const chat = new ChatPage(page);
    await chat.gotoHome();
    await expect(page.getByTestId("brand")).toHaveText(/Tandem/);
    await expect(chat.emptyState).toContainText("Ask anything — a researcher and a writer will work on it together");
    await chat.screenshot(testInfo, "home");

    await chat.newChat();
    // Every status line the run shows, recorded as it changes (a check after the fact can miss a
    // short turn on a busy machine).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __statuses: string[] }).__statuses = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="run-status"]')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await chat.send(MATH_QUESTION);
    // While the run goes: Stop offered, sending disabled with a reason, a status line.
    await expect(chat.stopButton).toBeVisible();
    await expect(chat.sendButton).toBeDisabled();
    await expect(chat.composerHint).toContainText("Agents are working");
    await expect(chat.runStatus).toHaveText(/(Researcher|Writer) is (thinking|using calculator|writing)…/);

    // The researcher uses the calculator: a compact tool card.
    await expect(chat.toolCards.first()).toBeVisible({ timeout: 20_000 });
    await expect(chat.toolCards.first().getByTestId("tool-card-name")).toHaveText("calculator");

    // Tokens stream: a message still being written grows.
    const streaming = chat.streamingMessage().filter({ has: page.getByTestId("message-content") });
    await expect(streaming.first()).toBeVisible({ timeout: 20_000 });
    const streamingId = await streaming.first().getAttribute("data-message-id");
    const lengthOf = () =>
      page.evaluate(
        (id) => document.querySelector(`[data-testid="message"][data-message-id="${id}"]`)?.textContent?.length ?? 0,
        streamingId,
      );
    const first = await lengthOf();
    await chat.screenshot(testInfo, "streaming");
    await expect.poll(lengthOf, { timeout: 15_000 }).toBeGreaterThan(first);

    await expect(chat.finishedAgentMessages("researcher")).toHaveCount(1, { timeout: 30_000 });
    await expect(chat.agentMessages("writer")).toHaveCount(1, { timeout: 30_000 });
    await chat.waitForRunEnd();
    const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
    // Each agent had its status line, in turn order.
    const researcherAt = statuses.findIndex((t) => /Researcher is (thinking|using calculator|writing)…/.test(t));
    const writerAt = statuses.findIndex((t) => /Writer is (thinking|writing)…/.test(t));
    expect(researcherAt, statuses.join(" | ")).toBeGreaterThanOrEqual(0);
    expect(writerAt, statuses.join(" | ")).toBeGreaterThan(researcherAt);
    await expect(chat.finishedAgentMessages("writer")).toHaveCount(1);
    await expect(chat.finishedAgentMessages("writer")).toContainText("395");

    // Agent messages name the agent and show the small print.
    const researcher = chat.finishedAgentMessages("researcher");
    await expect(researcher.getByTestId("agent-name")).toHaveText("Researcher");
    await expect(researcher.getByTestId("message-meta")).toContainText(/tokens/);
    await expect(chat.liveRegion).not.toBeEmpty();

    // The answer is the hero; the researcher's work and the tool call fold above it.
    await expect(chat.workToggle).toHaveAttribute("aria-expanded", "false");
    await expect(chat.workToggle).toContainText(/How we got here · 1 tool · Researcher \d/);
    await expect(chat.heroAnswers()).toHaveAttribute("data-agent", "writer");
    await chat.openWork();
    // The tool card expands to show input and output.
    await chat.toolCards.first().locator("summary").click();
    await expect(chat.toolCards.first()).toContainText("395");

    // The first send stored the chat; after its first run the model named it (the offline model
    // summarises the question), live in the sidebar and the header; the composer is usable again.
    const sessionId = chat.currentSessionId();
    await expect(chat.sessionItem(sessionId)).toHaveAttribute("data-active", "true");
    await expect(chat.sessionItem(sessionId).getByTestId("session-title")).toHaveText("Calculating 17 * 23 + 4");
    await expect(chat.conversationTitle).toHaveText("Calculating 17 * 23 + 4");
    await chat.composer.fill("thanks");
    await expect(chat.sendButton).toBeEnabled();
    await chat.screenshot(testInfo, "answered");

    // Nothing shown twice.
    const ids = await chat.messages.evaluateAll((els) => els.map((e) => e.getAttribute("data-message-id")));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("stop a run; a second send while running is queued and can be removed", async ({ page, request }, testInfo) => {
    const chat = new ChatPage(page);
    await chat.gotoHome();
    await chat.newChat();
    await chat.send(LONG_QUESTION);
    const sessionId = chat.currentSessionId();
    await expect(chat.streamingMessage("researcher")).toBeVisible({ timeout: 20_000 });

    // Enter while the agents work: the message waits in the queue under the composer (never refused).
    await chat.composer.fill("A follow-up that must wait");
    await chat.composer.press("Enter");
    await expect(page.getByTestId("queued-message")).toHaveCount(1);
    await expect(page.getByTestId("queued-content")).toHaveText("A follow-up that must wait");
    await expect(chat.composer).toHaveValue("");
    await expect(chat.userMessages).toHaveCount(1);
    // Removed from the queue by mouse: it never runs.
    await page.getByTestId("queued-remove").click();
    await expect(page.getByTestId("queued-message")).toHaveCount(0);

    // Stop while an agent has text on screen (the checks above may outlast the researcher's turn,
    // and a Stop between two turns leaves nobody's text to mark); the rest is checked after, so
    // that a busy machine does not see the run end first.
    const writing = chat.streamingMessage().filter({ has: page.getByTestId("message-content") });
    await expect(writing.first()).toBeVisible({ timeout: 20_000 });
    await chat.stopButton.click();
    await chat.waitForRunEnd(20_000);
    const queue = await request.get(`/api/sessions/${sessionId}/queue/`);
    expect(await queue.json()).toEqual([]);
    await expect(page.getByTestId("message-cancelled").first()).toBeVisible({ timeout: 10_000 });
    // Whoever was writing is marked Stopped; no agent finished normally after the Stop.
    await expect(chat.agentMessages("writer").filter({ hasNot: page.getByTestId("message-cancelled") })).toHaveCount(0);
    await expect(page.getByTestId("live-region")).toHaveText("Stopped.");
    await chat.screenshot(testInfo, "stopped");

    // The stopped turn says so, with Continue, after a reload too.
    await page.reload();
    await expect(page.getByTestId("turn-failure")).toContainText("Stopped");
    await expect(page.getByTestId("turn-continue")).toBeVisible();
  });

  test("rename, filter and delete sessions", async ({ page, request }, testInfo) => {
    const chat = new ChatPage(page);
    const a = await createSession(request, `Alpha ${Date.now()}`);
    const b = await createSession(request, `Bravo ${Date.now()}`);
    await chat.gotoSession(a);
    await expect(chat.sessionItem(a)).toBeVisible();
    await expect(chat.sessionItem(b)).toBeVisible();

    // Newest first.
    const order = await chat.sessionItems().evaluateAll((els) => els.map((e) => e.getAttribute("data-session-id")));
    expect(order.indexOf(b)).toBeLessThan(order.indexOf(a));

    await chat.renameSession(a, "Renamed chat");
    await expect(chat.conversationTitle).toHaveText("Renamed chat");
    const renamed = await (await request.get(`/api/sessions/${a}/`)).json();
    expect(renamed.title).toBe("Renamed chat");

    await chat.filter.fill("renamed");
    await expect(chat.sessionItems()).toHaveCount(1);
    await expect(chat.sessionItem(a)).toBeVisible();
    await chat.screenshot(testInfo, "filtered");
    await chat.filter.fill("");

    // Delete asks first; Cancel keeps it.
    await chat.sessionItem(b).hover();
    await chat.sessionItem(b).getByTestId("session-delete-button").click();
    await expect(page.getByTestId("confirm-dialog")).toBeVisible();
    await chat.screenshot(testInfo, "confirm-delete");
    await page.getByTestId("confirm-cancel-button").click();
    await expect(chat.sessionItem(b)).toBeVisible();

    await chat.deleteSession(b);
    expect((await request.get(`/api/sessions/${b}/`)).status()).toBe(404);

    // Deleting the open chat goes home.
    await chat.deleteSession(a);
    await page.waitForURL((u) => u.pathname === "/");
  });

  test("the sidebar loads slim pages of chats as it scrolls, and the filter reaches beyond them", async ({
    page,
    request,
  }) => {
    const chat = new ChatPage(page);
    const needle = await createSession(request, `Needle ${Date.now()}`);
    for (let i = 0; i < 60; i++) await createSession(request, `Hay ${i}`);
    const total = Number((await request.get("/api/sessions/?limit=1")).headers()["x-total-count"]);
    expect(total).toBeGreaterThan(60);

    const firstPage = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/sessions/");
    await chat.gotoHome();
    const answer = await firstPage;
    const url = new URL(answer.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({
      view: "summary",
      ordering: "-last_message_at",
      limit: "50",
      offset: "0",
    });
    const body = await answer.json();
    expect(Object.keys(body[0]).sort()).toEqual([
      "created_at",
      "last_message_at",
      "message_count",
      "pinned",
      "session_id",
      "title",
      "updated_at",
    ]);
    await expect(chat.sessionItems()).toHaveCount(50);
    await expect(chat.sessionItem(needle)).toHaveCount(0);

    // Scrolling to the end of the list loads the next page.
    const region = page.getByTestId("session-list-region").filter({ visible: true });
    await region.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(chat.sessionItems()).toHaveCount(Math.min(total, 100));

    // A filter that leaves the list short keeps loading until the older chat turns up.
    await chat.filter.fill("needle");
    await expect(chat.sessionItem(needle)).toBeVisible();
    await chat.filter.fill("");
    await expect(chat.sessionItems()).toHaveCount(total);
    await expect(page.getByTestId("sessions-load-more")).toHaveCount(0);
  });

  test("deep link opens a session; selecting another navigates without a reload", async ({ page, request }) => {
    const chat = new ChatPage(page);
    const a = await createSession(request, "Deep link A");
    await sendAndWait(request, a, MATH_QUESTION);
    const b = await createSession(request, "Deep link B");

    await chat.gotoSession(a);
    await expect(chat.conversationTitle).toHaveText("Deep link A");
    await expect(chat.userMessages).toHaveCount(1);
    await expect(chat.finishedAgentMessages("researcher")).toHaveCount(1);
    await expect(chat.finishedAgentMessages("writer")).toHaveCount(1);
    await expect(chat.sessionItem(a).getByTestId("session-link")).toHaveAttribute("aria-current", "page");

    // Client-side navigation: a marker on window survives.
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    await chat.sessionItem(b).getByTestId("session-link").click();
    await page.waitForURL(`**/c/${b}`);
    await expect(chat.conversationTitle).toHaveText("Deep link B");
    await expect(chat.emptyState).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);

    // An unknown id says so.
    await page.goto("/c/does-not-exist-42");
    await expect(page.getByTestId("session-missing")).toBeVisible();
  });

  test("mobile: the sidebar is an accessible drawer", async ({ page, request }, testInfo) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const chat = new ChatPage(page);
    const a = await createSession(request, "Phone chat A");
    const b = await createSession(request, "Phone chat B");
    await chat.gotoSession(a);
    await expect(page.getByTestId("sidebar")).toBeHidden();
    await expect(chat.drawer).toBeHidden();
    // Every header control in view, none drawn over another, down to a small phone's width.
    await expect(page.getByTestId("team-select")).toBeVisible();
    for (const width of [390, 360]) {
      await page.setViewportSize({ width, height: 844 });
      expect(await chat.headerLayoutProblems(), `at ${width} px`).toEqual([]);
    }
    await page.setViewportSize({ width: 390, height: 844 });

    await chat.openDrawer();
    await expect(chat.drawerToggle).toHaveAttribute("aria-expanded", "true");
    // Focus moved into the drawer and stays there (the page behind is inert).
    await expect
      .poll(() => page.evaluate(() => !!document.activeElement?.closest('[data-testid="drawer"]')))
      .toBe(true);
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      expect(
        await page.evaluate(
          () => !!document.activeElement?.closest('[data-testid="drawer"]') || document.activeElement === document.body,
        ),
      ).toBe(true);
    }
    await chat.screenshot(testInfo, "phone-drawer");

    // Esc closes it and focus returns to the menu button.
    await page.keyboard.press("Escape");
    await expect(chat.drawer).toBeHidden();
    await expect(chat.drawerToggle).toBeFocused();

    // Picking a chat navigates and closes the drawer.
    await chat.openDrawer();
    await chat.sessionItem(b).getByTestId("session-link").click();
    await page.waitForURL(`**/c/${b}`);
    await expect(chat.drawer).toBeHidden();
    await expect(chat.conversationTitle).toHaveText("Phone chat B");

    await chat.send(MATH_QUESTION);
    await chat.waitForRunEnd();
    await chat.screenshot(testInfo, "phone-answered");
  });

  test("HTML in a message stays inert text", async ({ page }) => {
    const chat = new ChatPage(page);
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await chat.gotoHome();
    await chat.newChat();
    const evil = "Look: <img src=x onerror=alert(1)> and <script>window.__xss=1</script> [click](javascript:alert(2))";
    await chat.send(evil);
    await chat.waitForRunEnd();

    await expect(chat.userMessages.first().getByTestId("message-content")).toHaveText(evil);
    await expect(chat.messageList).toContainText("<img src=x onerror=alert(1)>");
    expect(await chat.messageList.locator("img, script, iframe").count()).toBe(0);
    expect(await chat.messageList.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  test("reconnects with ?since=, replays what was missed and shows nothing twice", async ({ page }) => {
    const chat = new ChatPage(page);
    const urls: string[] = [];
    const routes: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    await page.routeWebSocket(/\/ws\/chat\//, (ws) => {
      urls.push(ws.url());
      const server = ws.connectToServer();
      routes.push({ page: ws, server });
    });
    await chat.gotoHome();
    await chat.newChat();
    await chat.send(MATH_QUESTION);
    const sessionId = chat.currentSessionId();
    await expect(chat.streamingMessage()).toBeVisible({ timeout: 20_000 });

    // Drop the socket mid-stream.
    const live = routes[routes.length - 1];
    const before = urls.length;
    await live.page.close({ code: 4001, reason: "test drop" }).catch(() => {});
    await live.server.close({ code: 4001, reason: "test drop" }).catch(() => {});
    await expect.poll(() => urls.length, { timeout: 15_000 }).toBeGreaterThan(before);
    expect(urls[urls.length - 1]).toMatch(/[?&]since=\d+/);

    await chat.waitForRunEnd();
    await expect(chat.finishedAgentMessages("writer")).toHaveCount(1);

    // Same messages as the server has, none twice.
    const history = await (await page.request.get(`/api/sessions/${sessionId}/history/`)).json();
    const ids = await chat.messages.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-message-id"))));
    const toolIds = await chat.toolCards.evaluateAll((els) =>
      els.map((e) => Number(e.getAttribute("data-message-id"))),
    );
    const shown = [...ids, ...toolIds].sort((x, y) => x - y);
    expect(shown).toEqual(history.map((m: { id: number }) => m.id).sort((x: number, y: number) => x - y));

    // A `resync` from the server makes the UI refetch the history.
    const refetch = page.waitForRequest((r) => r.url().includes(`/api/sessions/${sessionId}/history`));
    routes[routes.length - 1].page.send(JSON.stringify({ event: "resync", payload: { reason: "test" } }));
    await refetch;
    await expect(chat.messages).toHaveCount(ids.length);
  });

  test("a server that cannot be reached is shown as such, and a failed send can be retried", async ({ page }) => {
    const chat = new ChatPage(page);
    const sessionList = (url: URL) => url.pathname === "/api/sessions/";
    await page.route(sessionList, (route) =>
      route.request().method() === "GET" ? route.abort("connectionrefused") : route.fallback(),
    );
    await chat.gotoHome();
    await expect(page.getByTestId("sessions-unreachable").filter({ visible: true })).toContainText(
      "Can't reach the Tandem server — retrying",
    );
    await expect(page.getByTestId("sessions-empty")).toHaveCount(0);
    await page.unroute(sessionList);
    await expect(page.getByTestId("sessions-unreachable")).toHaveCount(0, { timeout: 15_000 });

    await chat.newChat();
    await page.route("**/send/", (route) => route.abort("connectionrefused"));
    await chat.composer.fill("Hello after a hiccup");
    await chat.composer.press("Enter");
    await expect(chat.sendError).toBeVisible();
    await expect(chat.sendError).toContainText("can't reach the Tandem server");
    await expect(chat.composer).toHaveValue("Hello after a hiccup");
    await page.unroute("**/send/");
    await page.getByTestId("send-retry").click();
    await expect(chat.userMessages).toHaveCount(1);
    await expect(chat.sendError).toHaveCount(0);
    await chat.waitForRunEnd();
  });

  test("a chat of 1,000 turns opens at its newest; earlier turns render in place as the reader scrolls up; a search result's first message opens a window around it", async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000);
    const created = await (await request.post("/api/sessions/", { data: { title: "A long chat" } })).json();
    await seedHistory(process.env.E2E_DATABASE_URL!, created.id, 2000);
    const chat = new ChatPage(page);
    const seeded = (i: number) => chat.messages.filter({ hasText: `Seeded message ${i}:` });

    await chat.gotoSession(created.session_id);
    await expect(seeded(1999)).toBeInViewport();
    // The newest 50 turns are rendered, not the 950 before them.
    await expect(chat.userMessages).toHaveCount(50);
    await expect(chat.userMessages.first()).toContainText("Seeded message 1900:");
    await expect(seeded(0)).toHaveCount(0);

    // Scrolled to the top, the 50 turns before come in above, and the reader stays where they were.
    await chat.messageList.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect(chat.userMessages).toHaveCount(100);
    await expect(chat.userMessages.first()).toContainText("Seeded message 1800:");
    await expect(seeded(1900)).toBeInViewport();
    await expect(seeded(1800)).not.toBeInViewport();
    // The button does the same from the keyboard (focusing it scrolls it into view, which may
    // bring in a batch of its own).
    await page.getByTestId("show-earlier").press("Enter");
    await expect.poll(() => chat.userMessages.count()).toBeGreaterThanOrEqual(150);

    // A search result's message is rendered and scrolled to, however early it is (its brief
    // highlight is search.spec.ts's to check).
    const [first] = (await (await request.get(`/api/sessions/${created.session_id}/history/?limit=1`)).json()) as {
      id: number;
    }[];
    await chat.gotoSession(created.session_id, `?m=${first.id}`);
    const message = page.locator(`[data-testid="message"][data-message-id="${first.id}"]`);
    await expect(message).toBeInViewport({ timeout: 15_000 });
    // A window from it is rendered, not every turn after it; later turns come in as the reader
    // scrolls down, and "Jump to latest" leaves the window for the newest.
    expect(await chat.userMessages.count()).toBeLessThanOrEqual(100);
    await expect(seeded(1999)).toHaveCount(0);
    const windowed = await chat.userMessages.count();
    await chat.messageList.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect.poll(() => chat.userMessages.count()).toBeGreaterThan(windowed);
    await expect(page.getByTestId("show-later")).toBeVisible();
    await page.getByTestId("jump-to-latest").click();
    await expect(seeded(1999)).toBeInViewport();
    await expect(page.getByTestId("show-later")).toHaveCount(0);
    await request.delete(`/api/sessions/${created.session_id}/`);
  });

  for (const scheme of ["light", "dark"] as const) {
    test(`accessibility: no serious or critical axe violations (${scheme})`, async ({ page, request }, testInfo) => {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
      const chat = new ChatPage(page);
      await chat.gotoHome();
      await expect(page.getByTestId("sessions-skeleton")).toHaveCount(0);
      expect(await seriousViolations(page)).toEqual([]);

      const id = await createSession(request, `Axe ${scheme}`);
      await sendAndWait(request, id, MATH_QUESTION);
      await chat.gotoSession(id);
      await expect(chat.finishedAgentMessages("writer")).toHaveCount(1);
      await chat.openWork();
      await chat.toolCards.first().locator("summary").click();
      expect(await seriousViolations(page)).toEqual([]);
      await chat.screenshot(testInfo, `conversation-${scheme}`);

      await page.setViewportSize({ width: 390, height: 844 });
      await chat.openDrawer();
      expect(await seriousViolations(page)).toEqual([]);
      await chat.screenshot(testInfo, `phone-drawer-${scheme}`);
    });
  }
});

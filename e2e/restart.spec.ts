/**
 * The server restarting under an open chat: this test runs its own Tandem (not Playwright's
 * webServer) so it can stop it mid-run and start it again on the same port and database.
 */
import { expect, test } from "@playwright/test";
import { startServer, type TandemServer } from "@/test/support/server";
import { ChatPage } from "./pages/chat";

const LONG_QUESTION =
  "Compare SQLite and PostgreSQL for a small team's internal tool: setup, backups, concurrency and hosting cost.";

test("the server restarting mid-run: the UI reconnects and catches up without a reload", async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  const env = { TANDEM_OFFLINE_DELAY_MS: "25" };
  let server: TandemServer = await startServer({ env });
  try {
    const chat = new ChatPage(page);
    await page.goto(`${server.url}/`);
    await expect(chat.composer).toBeVisible();
    await chat.newChat();
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 7));

    // SIGTERM while the researcher streams: the run may finish within the grace period.
    await chat.send(LONG_QUESTION); // the first send stores the chat and opens it
    const sessionId = chat.currentSessionId();
    await chat.waitForConnected();
    await expect(chat.streamingMessage("researcher")).toBeVisible({ timeout: 20_000 });
    const stopped = server.stop();
    await expect(chat.connection).not.toHaveAttribute("data-state", "connected", { timeout: 30_000 });
    expect(await stopped).toBe(0);
    await chat.screenshot(testInfo, "server-down");

    server = await startServer({ env, port: server.port, databaseUrl: server.databaseUrl });
    await chat.waitForConnected();
    // What the run finished while the server shut down is shown, once, and the UI is idle.
    await chat.waitForRunEnd(30_000);
    const historyAfterRestart = await (await request.get(`${server.url}/api/sessions/${sessionId}/history/`)).json();
    await expect(chat.messages).toHaveCount(
      historyAfterRestart.filter((m: { role: string }) => m.role !== "tool").length,
    );

    // Another client sends through the restarted server: the open page sees it live.
    const sent = await request.post(`${server.url}/api/sessions/${sessionId}/send/`, {
      data: { content: "What is 6 * 7?" },
    });
    expect(sent.status()).toBe(200);
    await expect(chat.userMessages).toHaveCount(2);
    await expect(chat.finishedAgentMessages("writer").last()).toContainText("42", { timeout: 20_000 });
    const history = await (await request.get(`${server.url}/api/sessions/${sessionId}/history/`)).json();
    const shown = await chat.messages.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-message-id"))));
    expect(shown.sort((a, b) => a - b)).toEqual(
      history.filter((m: { role: string }) => m.role !== "tool").map((m: { id: number }) => m.id),
    );
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(7);
    await chat.screenshot(testInfo, "server-restarted");
  } finally {
    await server.stop();
  }
});

/**
 * Acting on turns (issue 11) in Chromium, each by mouse and by keyboard: steer and queue while the
 * agents work, regenerate (answer versions ‹ 1/2 ›), edit (message versions ‹ 1/2 › on the user's
 * message), continue after Stop, and a provider failure shown on its turn with Retry. Failures and
 * long-running turns come from a second server whose model is an OpenAI-compatible stub (503, or a
 * request that never answers), so they are the real path and need no timing luck; the rest uses the
 * suite's server and its offline model. Each state is axe-checked in light and dark, desktop and phone.
 */
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { type OpenAIStub, startOpenAIStub } from "@/test/support/openai-stub";
import { startServer, type TandemServer } from "@/test/support/server";
import { seriousViolations } from "./pages/axe";
import { ChatPage } from "./pages/chat";

const MATH_QUESTION = "What is 17 * 23 + 4? Explain the order of operations.";
const LONG_QUESTION =
  "Compare SQLite and PostgreSQL for a small team's internal tool: setup, backups, concurrency, JSON support, hosting cost and migration paths. Give a table and a recommendation.";

const mod = process.platform === "darwin" ? "Meta" : "Control";

async function sessionWithAnswer(request: APIRequestContext, title: string, base = "") {
  const res = await request.post(`${base}/api/sessions/`, { data: { title } });
  const id = (await res.json()).session_id as string;
  const sent = await request.post(`${base}/api/sessions/${id}/send/`, { data: { content: MATH_QUESTION } });
  expect(sent.status()).toBe(200);
  const messages = (await sent.json()) as Array<{ id: number; role: string; agent: { name: string } | null }>;
  return { id, messages };
}

/** Serious or critical axe findings in light and dark, desktop and phone (empty when clean). */
async function axeEverywhere(page: Page) {
  const found: Record<string, unknown[]> = {};
  for (const scheme of ["light", "dark"] as const) {
    for (const size of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
      await page.setViewportSize(size);
      const v = await seriousViolations(page);
      if (v.length) found[`${scheme} ${size.width}`] = v;
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}

test.describe("versions of a turn (offline model)", () => {
  test("regenerate: a new answer version; ‹ 1/2 › switches back and forth by mouse and keyboard; a reload keeps it", async ({
    page,
    request,
  }) => {
    const chat = new ChatPage(page);
    const { id, messages } = await sessionWithAnswer(request, "Regenerate");
    const first = messages.find((m) => m.agent?.name === "writer")!.id;
    await chat.gotoSession(id);
    await expect(chat.heroAnswers()).toHaveAttribute("data-message-id", String(first));

    // By mouse: a new run for the same message; the new answer shows, numbered 2/2.
    await chat.turnFooter.getByTestId("turn-regenerate").click();
    const versions = page.getByTestId("answer-versions");
    await expect(versions.getByTestId("version-index")).toHaveText("2/2", { timeout: 30_000 });
    await chat.waitForRunEnd();
    await expect(chat.heroAnswers()).not.toHaveAttribute("data-message-id", String(first));
    const second = await chat.heroAnswers().getAttribute("data-message-id");
    await expect(chat.userMessages).toHaveCount(1);

    // ‹ by mouse: the first answer again, and a reload keeps the choice.
    await versions.getByTestId("version-prev").click();
    await expect(versions.getByTestId("version-index")).toHaveText("1/2");
    await expect(chat.heroAnswers()).toHaveAttribute("data-message-id", String(first));
    await page.reload();
    await chat.waitForLoaded();
    await expect(versions.getByTestId("version-index")).toHaveText("1/2");
    await expect(chat.heroAnswers()).toHaveAttribute("data-message-id", String(first));
    const history = await (await request.get(`/api/sessions/${id}/history/`)).json();
    expect(history.map((m: { id: number }) => m.id)).toContain(first);
    expect(history.map((m: { id: number }) => m.id)).not.toContain(Number(second));

    // › by keyboard.
    await versions.getByTestId("version-next").focus();
    await expect(versions.getByTestId("version-next")).toHaveAccessibleName("Next answer version");
    await page.keyboard.press("Enter");
    await expect(versions.getByTestId("version-index")).toHaveText("2/2");
    await expect(chat.heroAnswers()).toHaveAttribute("data-message-id", String(second));

    // Regenerate by keyboard: a third version.
    await chat.turnFooter.getByTestId("turn-regenerate").focus();
    await page.keyboard.press("Enter");
    await expect(versions.getByTestId("version-index")).toHaveText("3/3", { timeout: 30_000 });
    await chat.waitForRunEnd();
    expect(await axeEverywhere(page)).toEqual({});
  });

  test("edit a message: a new version and a new run; the message's ‹ 1/2 › switches between its versions", async ({
    page,
    request,
  }) => {
    const chat = new ChatPage(page);
    const { id } = await sessionWithAnswer(request, "Edit versions");
    await chat.gotoSession(id);
    const mine = chat.userMessages.first();

    // By keyboard: ↑ in the empty composer, new text, Enter sends it as a new version.
    await chat.composer.focus();
    await page.keyboard.press("ArrowUp");
    const box = page.getByTestId("edit-input");
    await expect(box).toBeFocused();
    await box.fill("What is 6 * 7?");
    await page.keyboard.press("Enter");
    await expect(mine.getByTestId("message-content")).toHaveText("What is 6 * 7?", { timeout: 15_000 });
    await chat.waitForRunEnd();
    const switcher = mine.getByTestId("message-versions");
    await expect(switcher.getByTestId("version-index")).toHaveText("2/2");
    await expect(chat.finishedAgentMessages("writer")).toHaveCount(1);
    const editedAnswer = await chat.heroAnswers().getAttribute("data-message-id");

    // ‹ by mouse: the first version of the message, with its own answer.
    await switcher.getByTestId("version-prev").click();
    await expect(mine.getByTestId("message-content")).toHaveText(MATH_QUESTION);
    await expect(switcher.getByTestId("version-index")).toHaveText("1/2");
    await expect(chat.heroAnswers()).toContainText("395");
    await page.reload();
    await chat.waitForLoaded();
    await expect(mine.getByTestId("message-content")).toHaveText(MATH_QUESTION);

    // › by keyboard.
    await switcher.getByTestId("version-next").focus();
    await expect(switcher.getByTestId("version-next")).toHaveAccessibleName("Next message version");
    await page.keyboard.press("Enter");
    await expect(mine.getByTestId("message-content")).toHaveText("What is 6 * 7?");
    await expect(chat.heroAnswers()).toHaveAttribute("data-message-id", editedAnswer!);

    // Edit by mouse: a third version.
    await mine.hover();
    await mine.getByTestId("message-edit").click();
    await box.fill("What is 2 + 2?");
    await page.getByTestId("edit-save").click();
    await expect(switcher.getByTestId("version-index")).toHaveText("3/3", { timeout: 15_000 });
    await chat.waitForRunEnd();
    expect(await axeEverywhere(page)).toEqual({});
  });

  test("continue after Stop: the cut-off agent resumes and the remaining agents take their turns", async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.gotoHome();
    await chat.newChat();
    await chat.send(LONG_QUESTION);
    const writing = chat.streamingMessage().filter({ has: page.getByTestId("message-content") });
    await expect(writing.first()).toBeVisible({ timeout: 20_000 });
    await chat.stopButton.click();
    await chat.waitForRunEnd(20_000);
    // The message the Stop cut off: the researcher's, or the writer's when the researcher finished
    // before the click landed (a slow machine); either resumes, then whoever is left answers.
    const history = await (await page.request.get(`/api/sessions/${chat.currentSessionId()}/history/`)).json();
    const cut = history.findLast((m: { metadata: { cancelled?: boolean } | null }) => m.metadata?.cancelled)?.id;
    expect(cut, "a message was cut off").toBeDefined();
    const stored = async () => (await (await page.request.get(`/api/messages/${cut}/`)).json()).content as string;
    const cutText = await stored();
    await expect(chat.turnFooter.getByTestId("turn-failure")).toContainText("Stopped");

    // By keyboard: Continue. The same message grows, then the writer answers; the turn is whole.
    await chat.turnFooter.getByTestId("turn-continue").focus();
    await page.keyboard.press("Enter");
    const id = chat.currentSessionId();
    const lastStatus = async () => (await (await page.request.get(`/api/sessions/${id}/turns/`)).json()).at(-1).status;
    await expect.poll(lastStatus, { timeout: 45_000 }).toBe("success");
    await expect(page.getByTestId("turn-failure")).toHaveCount(0);
    await chat.waitForRunEnd();
    await expect(chat.finishedAgentMessages("writer")).toHaveCount(1);
    await chat.openWork();
    // The cut-off message grew from where it stopped, and shows so.
    const grown = await stored();
    expect(grown.startsWith(cutText) && grown.length > cutText.length).toBe(true);
    await expect(page.locator(`[data-message-id="${cut}"] [data-testid="message-content"]`)).toBeVisible();
    await expect(chat.agentMessages("researcher")).toHaveCount(1);
    await expect(chat.heroAnswers()).toHaveAttribute("data-agent", "writer");
  });
});

test.describe("against a model provider (an OpenAI-compatible stub)", () => {
  let stub: OpenAIStub;
  let server: TandemServer;

  test.beforeAll(async () => {
    stub = await startOpenAIStub();
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: stub.baseURL, TANDEM_MODEL_RETRIES: "0" },
    });
  });
  test.afterAll(async () => {
    await server?.stop();
    await stub?.close();
  });

  async function openChat(page: Page, request: APIRequestContext, title: string) {
    const res = await request.post(`${server.url}/api/sessions/`, { data: { title } });
    const id = (await res.json()).session_id as string;
    const chat = new ChatPage(page);
    await page.goto(`${server.url}/c/${id}`);
    await chat.waitForLoaded();
    await chat.waitForConnected();
    return { id, chat };
  }

  test("a provider 503 shows on its turn with its reason and Retry, after a reload too; Retry (keyboard) answers", async ({
    page,
    request,
  }) => {
    stub.setBehaviors([{ kind: "status", status: 503 }]);
    const { id, chat } = await openChat(page, request, "Provider down");
    await chat.composer.fill("Is the provider up?");
    await chat.composer.press("Enter");
    const failure = page.getByTestId("turn-failure");
    await expect(failure).toContainText("The model provider failed (HTTP 503)", { timeout: 20_000 });
    await expect(failure.getByTestId("turn-retry")).toBeVisible();
    await expect(chat.composer).toHaveValue("");

    // From what the server stores: after a reload the failure is still on its turn.
    await page.reload();
    await chat.waitForLoaded();
    await expect(failure).toContainText("The model provider failed (HTTP 503)");
    expect(await axeEverywhere(page)).toEqual({});

    // The provider is back: Retry by keyboard runs the turn again, the failure goes.
    stub.setBehaviors([]);
    await failure.getByTestId("turn-retry").focus();
    await page.keyboard.press("Enter");
    await expect(chat.finishedAgentMessages("writer")).toHaveCount(1, { timeout: 20_000 });
    await expect(failure).toHaveCount(0);
    await expect(chat.heroAnswers()).toContainText("stub:");
    const turns = await (await request.get(`${server.url}/api/sessions/${id}/turns/`)).json();
    expect(turns.at(-1).status).toBe("success");
    expect(turns.at(-1).versions.count).toBe(2);
  });

  test("while the agents work: Steer (button, Ctrl+Enter) sends guidance shown in the turn; Enter queues, and a queued message can be edited and removed", async ({
    page,
    request,
  }) => {
    // The model never answers: the run stays at work until Stop.
    stub.setBehaviors([{ kind: "hang" }]);
    const { id, chat } = await openChat(page, request, "Steering");
    await chat.send("Plan a weekend in Lisbon.");
    await expect(chat.stopButton).toBeVisible();

    // Steer by mouse, then by keyboard: each shows in the turn, marked as guidance.
    await chat.composer.fill("Keep it under 100 words.");
    await chat.steerButton.click();
    const guidance = page.locator('[data-testid="message"][data-role="user"][data-guidance]');
    await expect(guidance).toHaveCount(1);
    await expect(guidance.first().getByTestId("message-content")).toHaveText("Keep it under 100 words.");
    await expect(guidance.first().getByTestId("guidance-label")).toBeVisible();
    await expect(chat.composer).toHaveValue("");
    await chat.composer.fill("Mention the budget.");
    await page.keyboard.press(`${mod}+Enter`);
    await expect(guidance).toHaveCount(2);

    // Enter queues: pending under the composer, not in the conversation.
    await chat.composer.fill("Then a packing list.");
    await page.keyboard.press("Enter");
    await expect(chat.queued).toHaveCount(1);
    await expect(chat.queued.getByTestId("queued-content")).toHaveText("Then a packing list.");
    await expect(chat.userMessages.filter({ hasText: "packing" })).toHaveCount(0);
    expect(await axeEverywhere(page)).toEqual({});

    // Edit it by keyboard.
    await chat.queued.getByTestId("queued-edit").focus();
    await page.keyboard.press("Enter");
    const input = page.getByTestId("queued-edit-input");
    await expect(input).toBeFocused();
    await input.fill("Then a short packing list.");
    await page.keyboard.press("Enter");
    await expect(chat.queued.getByTestId("queued-content")).toHaveText("Then a short packing list.");
    const queue = await (await request.get(`${server.url}/api/sessions/${id}/queue/`)).json();
    expect(queue.map((q: { content: string }) => q.content)).toEqual(["Then a short packing list."]);

    // Remove it by keyboard; queue another by mouse (the Queue button).
    await chat.queued.getByTestId("queued-remove").focus();
    await page.keyboard.press("Enter");
    await expect(chat.queued).toHaveCount(0);
    await chat.composer.fill("And the best time to visit.");
    await expect(chat.sendButton).toHaveAccessibleName("Queue message");
    await chat.sendButton.click();
    await expect(chat.queued).toHaveCount(1);

    // Stop: the queued message runs next (the provider answers now) and joins the conversation.
    stub.setBehaviors([]);
    await chat.stopButton.click();
    await expect(chat.userMessages.filter({ hasText: "And the best time to visit." })).toHaveCount(1, {
      timeout: 20_000,
    });
    await expect(chat.queued).toHaveCount(0);
    await chat.waitForRunEnd(30_000);
    await expect(chat.heroAnswers().last()).toContainText("stub:");
    // The guidance stays on its turn after a reload.
    await page.reload();
    await chat.waitForLoaded();
    await expect(guidance).toHaveCount(2);
  });
});

/**
 * Accounts in a browser (TANDEM_AUTH=accounts, its own server): sign-up, sign-out and sign-in;
 * two people in two browser contexts cannot see each other's chats; personal keys made and
 * revoked on the settings page; a shared link read by someone signed out, until revoked; the
 * pages axe-clean in light and dark.
 */
import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import { startServer, type TandemServer } from "@/test/support/server";
import { seriousViolations } from "./pages/axe";
import { ChatPage } from "./pages/chat";

let server: TandemServer;

test.beforeAll(async () => {
  // Better Auth limits sign-ups per client address; each browser context plays its own address
  // (X-Forwarded-For, believed with TANDEM_TRUST_PROXY=1).
  server = await startServer({
    env: { TANDEM_AUTH: "accounts", TANDEM_ADMIN_SECURE_COOKIE: "false", TANDEM_TRUST_PROXY: "1" },
  });
});
test.afterAll(async () => {
  await server?.stop();
});

async function signUp(page: Page, username: string) {
  await page.goto(`${server.url}/sign-up`);
  await page.getByTestId("auth-username").fill(username);
  await page.getByTestId("auth-password").fill("a long passphrase");
  await page.getByTestId("auth-submit").click();
  await expect(page.getByTestId("account-link")).toHaveText(username);
}

let contexts = 0;
/** The contexts a test opened, closed after it: left open, their chats kept reconnecting to a stopped server. */
const opened: BrowserContext[] = [];
async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": `10.8.0.${++contexts}` } });
  opened.push(context);
  return context.newPage();
}
test.afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

async function person(browser: Browser, username: string): Promise<Page> {
  const page = await newPage(browser);
  await signUp(page, username);
  return page;
}

test("sign-up, sign-out and sign-in; the chat needs a signed-in person", async ({ page }) => {
  await page.goto(`${server.url}/`);
  await expect(page).toHaveURL(/\/sign-in/);
  await signUp(page, "owner");
  await page.getByTestId("account-link").click();
  await expect(page.getByTestId("settings-user")).toContainText("owner (admin)");
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto(`${server.url}/`);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByTestId("auth-identifier").fill("owner");
  await page.getByTestId("auth-password").fill("wrong password!");
  await page.getByTestId("auth-submit").click();
  await expect(page.getByTestId("auth-error")).toBeVisible();
  await page.getByTestId("auth-password").fill("a long passphrase");
  await page.getByTestId("auth-submit").click();
  await expect(page.getByTestId("account-link")).toHaveText("owner");
});

test("on a phone the header keeps every control in view; the account is at the foot of the chats drawer", async ({
  browser,
}) => {
  const page = await person(browser, "phone-owner");
  const chat = new ChatPage(page);
  await chat.newChat();
  await chat.send("a question from a phone");
  await chat.waitForRunEnd();
  await expect(page.getByTestId("share-button")).toBeVisible();
  for (const width of [390, 360]) {
    await page.setViewportSize({ width, height: 800 });
    expect(await chat.headerLayoutProblems(), `at ${width} px`).toEqual([]);
  }
  // The share panel opens within the screen.
  await page.getByTestId("share-button").click();
  const panel = (await page.getByTestId("share-panel").boundingBox())!;
  expect(panel.x).toBeGreaterThanOrEqual(0);
  expect(panel.x + panel.width).toBeLessThanOrEqual(360);
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("account-link")).toBeHidden();
  await chat.openDrawer();
  await page.getByTestId("drawer-account-link").click();
  await expect(page.getByTestId("settings-user")).toContainText("phone-owner");
});

test("two people in two browsers cannot see each other's chats", async ({ browser }) => {
  const alicePage = await person(browser, "alice");
  const bobPage = await person(browser, "bob");
  const alice = new ChatPage(alicePage);
  await alice.newChat();
  await alice.send("a secret about gearboxes");
  await alice.waitForRunEnd();
  const aliceChat = alice.currentSessionId();

  // Bob's app, its API and its WebSocket all act as if the chat did not exist.
  const seen = await bobPage.evaluate(async (id) => {
    const one = await fetch(`/api/sessions/${id}/`);
    const history = await fetch(`/api/sessions/${id}/history/`);
    const list = (await (await fetch("/api/sessions/")).json()) as Array<{ session_id: string }>;
    const socket = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${location.origin.replace("http", "ws")}/ws/chat/${id}/`);
      ws.onmessage = () => resolve("opened");
      ws.onerror = () => resolve("refused");
    });
    return { one: one.status, history: history.status, listed: list.some((s) => s.session_id === id), socket };
  }, aliceChat);
  expect(seen).toEqual({ one: 404, history: 404, listed: false, socket: "refused" });
  await bobPage.goto(`${server.url}/c/${aliceChat}`);
  await expect(bobPage.getByText("a secret about gearboxes")).toHaveCount(0);
  await expect(bobPage.getByTestId("sidebar")).not.toContainText("a secret");
});

test("personal keys: made on the settings page, shown once, revoked", async ({ browser }) => {
  const page = await person(browser, "keyholder");
  await page.goto(`${server.url}/settings`);
  await page.getByTestId("key-name").fill("laptop");
  await page.getByTestId("key-create").click();
  const key = (await page.getByTestId("new-key").textContent())!.trim();
  expect(key).toMatch(/^tdm_/);
  await expect(page.getByTestId("key-row")).toHaveCount(1);
  const status = () =>
    fetch(`${server.url}/api/sessions/`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
  expect(await status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  await page.getByTestId("key-revoke").click();
  await expect(page.getByTestId("key-row")).toHaveCount(0);
  expect(await status()).toBe(401);
});

test("a shared link shows the chat read-only to someone signed out, until revoked", async ({ browser }) => {
  const page = await person(browser, "sharer");
  const chat = new ChatPage(page);
  await chat.newChat();
  await chat.send("what is a planetary gear");
  await chat.waitForRunEnd();
  await page.goto(`${server.url}/settings`);
  await page.getByTestId("share-create").click();
  const link = page.getByTestId("share-link");
  await expect(link).toHaveCount(1);
  const path = (await link.textContent())!.trim();

  const stranger = await newPage(browser);
  await stranger.goto(`${server.url}${path}`);
  await expect(stranger.getByTestId("shared-chat")).toBeVisible();
  await expect(stranger.getByTestId("shared-message").first()).toContainText("what is a planetary gear");
  await expect(stranger.getByTestId("composer")).toHaveCount(0);

  await page.getByTestId("share-revoke").click();
  await expect(page.getByTestId("share-row")).toHaveCount(0);
  const gone = await stranger.goto(`${server.url}${path}`);
  expect(gone?.status()).toBe(404);
});

test("Share in the chat header: makes and copies the link, which works signed out until stopped", async ({
  browser,
}) => {
  const context = await browser.newContext({
    extraHTTPHeaders: { "x-forwarded-for": `10.8.0.${++contexts}` },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const page = await context.newPage();
  await signUp(page, "headersharer");
  const chat = new ChatPage(page);
  await chat.newChat();
  await chat.send("what does a differential do");
  await chat.waitForRunEnd();

  await page.getByTestId("share-button").click();
  await page.getByTestId("share-link-create").click();
  const url = await page.getByTestId("share-url").inputValue();
  expect(url).toMatch(new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{20,}$`));
  await expect(page.getByTestId("share-note")).toHaveText("Link copied.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    expect(await seriousViolations(page), `share panel ${scheme}`).toEqual([]);
  }

  // Opening it again shows the same link, not a new one.
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("share-panel")).toHaveCount(0);
  await expect(page.getByTestId("share-button")).toBeFocused();
  await page.getByTestId("share-button").click();
  await expect(page.getByTestId("share-url")).toHaveValue(url);

  const stranger = await newPage(browser);
  await stranger.goto(url);
  await expect(stranger.getByTestId("shared-message").first()).toContainText("what does a differential do");

  await page.getByTestId("share-stop").click();
  await expect(page.getByTestId("share-note")).toHaveText("The link no longer works.");
  await expect(page.getByTestId("share-link-create")).toBeVisible();
  expect((await stranger.goto(url))?.status()).toBe(404);
});

test("sign-in, sign-up, settings and a shared chat are axe-clean, light and dark", async ({ browser }) => {
  const page = await person(browser, "looker");
  const chat = new ChatPage(page);
  await chat.newChat();
  await chat.send("hello");
  await chat.waitForRunEnd();
  await page.goto(`${server.url}/settings`);
  await page.getByTestId("share-create").click();
  const path = (await page.getByTestId("share-link").first().textContent())!.trim();
  const anonymous = await newPage(browser);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await anonymous.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await page.goto(`${server.url}/settings`);
    expect(await seriousViolations(page), `settings ${scheme}`).toEqual([]);
    for (const where of ["/sign-in", "/sign-up", path]) {
      await anonymous.goto(`${server.url}${where}`);
      expect(await seriousViolations(anonymous), `${where} ${scheme}`).toEqual([]);
    }
  }
});

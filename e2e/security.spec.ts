/**
 * The pages' Content Security Policy in a real browser: the chat UI (streaming, markdown, tool
 * cards, the WebSocket) and the API docs work with no CSP violation, while an injected inline
 * script is blocked (which also proves the violation listener works).
 */
import { expect, test, type Page } from "@playwright/test";
import { ChatPage } from "./pages/chat";

/** Collects CSP violations from both the console and `securitypolicyviolation` events. */
async function watchCsp(page: Page) {
  const consoleErrors: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) consoleErrors.push(msg.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sample || ""}) at ${location.pathname} from ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`);
    });
  });
  return {
    async all(): Promise<string[]> {
      const events = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp ?? []);
      return [...consoleErrors, ...events];
    },
  };
}

test.describe("security headers", () => {
  test("the chat UI runs under the nonce CSP without a single violation", async ({ page }) => {
    const csp = await watchCsp(page);
    const chat = new ChatPage(page);
    const response = await page.goto("/");
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["referrer-policy"]).toBeTruthy();
    expect(headers["permissions-policy"]).toBeTruthy();
    expect(headers["x-request-id"]).toBeTruthy();
    await expect(chat.composer).toBeVisible();

    // Everything the UI does: a new chat, the WebSocket, streaming, a tool card, markdown.
    await chat.newChat();
    await chat.send("What is 17 * 23 + 4? Explain the order of operations.");
    await chat.waitForRunEnd();
    await expect(chat.toolCards.first()).toBeVisible();
    await expect(chat.agentMessages("writer").first()).toBeVisible();
    const sessionId = chat.currentSessionId();

    // A full load of a conversation page and of the docs page.
    await chat.gotoSession(sessionId);
    await expect(chat.messages.first()).toBeVisible();
    await page.goto("/docs");
    await expect(page.locator("h1").first()).toBeVisible();
    expect(await csp.all()).toEqual([]);

    // The policy is enforced: injected markup's inline handler (the usual XSS) does not run.
    const ran = await page.evaluate(async () => {
      const w = window as unknown as { __injected?: boolean };
      const box = document.createElement("div");
      box.innerHTML = '<img src="data:," onload="window.__injected = true" onerror="window.__injected = true">';
      document.body.appendChild(box);
      await new Promise((r) => setTimeout(r, 300));
      return w.__injected === true;
    });
    expect(ran).toBe(false);
    await expect.poll(async () => (await csp.all()).length).toBeGreaterThan(0);
  });

  test("each page load gets a fresh nonce that Next puts on its scripts", async ({ request }) => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await request.get("/");
      const nonce = /'nonce-([^']+)'/.exec(res.headers()["content-security-policy"] ?? "")?.[1];
      expect(nonce).toBeTruthy();
      const html = await res.text();
      expect(html).toContain(`nonce="${nonce}"`);
      // Every script element carries it.
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      nonces.push(nonce!);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });
});

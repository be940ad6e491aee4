/**
 * The pages' Content Security Policy in a real browser: the chat UI (streaming, markdown, tool
 * cards, the WebSocket) and the API docs work with no CSP violation, while an injected inline
 * script is blocked (which also proves the violation listener works). And a page on another
 * origin of the same host (same site, so the admin's SameSite=Lax cookie goes along) can
 * neither read nor change anything in the admin.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { expect, type Page, test } from "@playwright/test";
import { startServer, type TandemServer } from "@/test/support/server";
import { AdminPage } from "./pages/admin";
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
      w.__csp.push(
        `${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sample || ""}) at ${location.pathname} from ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
      );
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
    await chat.openWork(); // the tool card sits in the folded "how we got here" strip
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

test.describe("a page on another origin cannot drive the admin", () => {
  const USER = "admin";
  const PASSWORD = "correct-horse-battery";
  // admin.spec.ts takes E2E_PORT + 1.
  const target = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3199) + 2}`;
  let server: TandemServer;
  let elsewhere: Server;
  let foreign: string;

  test.beforeAll(async () => {
    test.setTimeout(90_000);
    server = await startServer({
      port: Number(new URL(target).port),
      env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD },
    });
    elsewhere = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end("<!doctype html><title>elsewhere</title><iframe name=sink></iframe>");
    });
    elsewhere.listen(0, "127.0.0.1");
    await once(elsewhere, "listening");
    foreign = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
  });
  test.afterAll(async () => {
    elsewhere?.close();
    await server?.stop();
  });

  test("signed in as admin, a foreign page cannot read a page or the CSRF token, nor create, rename or delete", async ({
    page,
    request,
  }) => {
    const created = await request.post(`${target}/api/sessions/`, { data: { title: "Victim" } });
    const sessionId = (await created.json()).session_id as string;
    const agentsBefore = ((await (await request.get(`${target}/api/agents/`)).json()) as Array<{ name: string }>).map(
      (a) => a.name,
    );

    const admin = new AdminPage(page);
    await admin.login(USER, PASSWORD, `${target}/admin`);
    // What a well-informed attacker would send: the real forms' fields, the real CSRF token
    // included (as if it had leaked), with the values changed.
    const formFields = (path: string, testId: string) =>
      page
        .goto(`${target}${path}`)
        .then(() =>
          page
            .getByTestId(testId)
            .evaluate((form) =>
              [...new FormData(form as HTMLFormElement)].map(([k, v]): [string, string] => [k, String(v)]),
            ),
        );
    const attacks: Array<{ path: string; fields: Array<[string, string]>; set: Record<string, string> }> = [
      {
        path: "/admin/agents/new",
        fields: await formFields("/admin/agents/new", "agent-form"),
        set: { name: "pwned-agent", role: "pwned" },
      },
      {
        path: `/admin/sessions/${sessionId}`,
        fields: await formFields(`/admin/sessions/${sessionId}`, "session-form"),
        set: { title: "Pwned" },
      },
      {
        path: `/admin/sessions/${sessionId}`,
        fields: await formFields(`/admin/sessions/${sessionId}`, "delete-session-form"),
        set: {},
      },
    ];
    const csrf = attacks[0].fields.find(([k]) => k === "csrf_token")?.[1];
    expect(csrf).toBeTruthy();

    await page.goto(foreign);
    const refused: number[] = [];
    page.on("response", (res) => {
      if (res.url().startsWith(target) && res.request().method() === "POST") refused.push(res.status());
    });
    const outcome = await page.evaluate(
      async ({ target, sessionId, csrf, attacks, foreignHost }) => {
        const tried: Record<string, string> = {};
        const attempt = async (name: string, work: () => Promise<Response>, read = true) => {
          try {
            const res = await work();
            const text = read ? await res.text() : "";
            tried[name] =
              res.type === "opaque" ? "opaque" : `read ${res.status}${text.includes(csrf) ? " with the token" : ""}`;
          } catch {
            tried[name] = "blocked";
          }
        };
        // Reading: a page, its CSRF token, the list.
        await attempt("read session page", () =>
          fetch(`${target}/admin/sessions/${sessionId}`, { credentials: "include" }),
        );
        await attempt("read sessions list", () => fetch(`${target}/admin/sessions`, { credentials: "include" }));
        await attempt("read with a spoofed X-Forwarded-Host", () =>
          fetch(`${target}/admin/agents/new`, { credentials: "include", headers: { "X-Forwarded-Host": foreignHost } }),
        );
        await attempt("read, no-cors", () =>
          fetch(`${target}/admin/agents/new`, { credentials: "include", mode: "no-cors" }),
        );
        for (const [i, attack] of attacks.entries()) {
          const values: Record<string, string> = { ...Object.fromEntries(attack.fields), ...attack.set };
          // As a browser without JavaScript posts it (a simple request: no preflight).
          const plain = new FormData();
          for (const [k, v] of Object.entries(values)) plain.set(k, v);
          await attempt(`form post ${i}`, () =>
            fetch(`${target}${attack.path}`, { method: "POST", body: plain, credentials: "include", mode: "no-cors" }),
          );
          // As React sends it: the action's id in Next-Action, the arguments (state, form) in rows.
          const bound = Object.entries(values).find(([k]) => /^\$ACTION_\d+:0$/.test(k))?.[1];
          const actionId = (
            bound
              ? JSON.parse(bound).id
              : Object.keys(values)
                  .find((k) => k.startsWith("$ACTION_ID_"))
                  ?.slice(11)
          ) as string;
          const rows = new FormData();
          for (const [k, v] of Object.entries(values)) if (!k.startsWith("$ACTION")) rows.set(`_1_${k}`, v);
          rows.set("0", JSON.stringify(bound ? [{}, "$K1"] : ["$K1"])); // last, as React sends it
          for (const [label, extra] of [
            ["", {}],
            [" with a spoofed X-Forwarded-Host", { "X-Forwarded-Host": foreignHost }],
          ] as const) {
            await attempt(`action ${i}${label}`, () =>
              fetch(`${target}${attack.path}`, {
                method: "POST",
                body: rows,
                credentials: "include",
                headers: { "Next-Action": actionId, Accept: "text/x-component", ...extra },
              }),
            );
          }
          // A classic cross-site form, submitted into a frame.
          const form = document.createElement("form");
          Object.assign(form, {
            method: "POST",
            action: `${target}${attack.path}`,
            enctype: "multipart/form-data",
            target: "sink",
          });
          for (const [k, v] of Object.entries(values))
            form.append(Object.assign(document.createElement("input"), { type: "hidden", name: k, value: v }));
          document.body.append(form);
          form.submit();
          await new Promise((r) => setTimeout(r, 500));
        }
        return tried;
      },
      { target, sessionId, csrf: csrf!, attacks, foreignHost: new URL(foreign).host },
    );

    // Nothing changed, and the admin is still signed in.
    const session = await request.get(`${target}/api/sessions/${sessionId}/`);
    expect(session.status()).toBe(200);
    expect((await session.json()).title).toBe("Victim");
    const agentsAfter = ((await (await request.get(`${target}/api/agents/`)).json()) as Array<{ name: string }>).map(
      (a) => a.name,
    );
    expect(agentsAfter).toEqual(agentsBefore);
    for (const [name, result] of Object.entries(outcome)) expect(result, name).toMatch(/^(blocked|opaque)$/);
    expect(Object.keys(outcome)).toHaveLength(4 + attacks.length * 3);
    // Every post that reached the server was refused at the edge.
    await expect.poll(() => refused.length).toBeGreaterThanOrEqual(attacks.length);
    expect(
      refused.every((status) => status === 403),
      JSON.stringify(refused),
    ).toBe(true);

    await page.goto(`${target}/admin/sessions/${sessionId}`);
    await expect(admin.header).toBeVisible();
    await expect(admin.sessionForm).toBeVisible();
  });
});

/**
 * The admin's auth and CSRF pieces: password hashes, the signed session cookie, the CSRF token,
 * the same-origin check, login throttling and revocable sessions (against a real database),
 * a forged server-action request refused by a real server, the tool-schema check, and the
 * dashboard's aggregates at 100,000 messages.
 *
 *   node --import tsx --test test/admin.test.ts       (the server test needs a build in NEXT_DIST_DIR)
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import {
  csrfTokenFor,
  hashPassword,
  newSessionToken,
  signSessionToken,
  THROTTLE,
  throttleDelayMs,
  verifyCsrfToken,
  verifyPassword,
  verifySessionCookie,
} from "@/lib/admin/crypto";
import { toolSchemaProblems } from "@/lib/contract/json-schema";
import { isSameOrigin } from "@/lib/request";
import { freshSqliteUrl } from "./support/databases";
import { startServer, type TandemServer } from "./support/server";

// The data module reads DATABASE_URL once, when first imported: point it at a fresh database.
const databaseUrl = await freshSqliteUrl("admin");
process.env.DATABASE_URL = databaseUrl;
process.env.LOG_LEVEL = "silent";
const { deployMigrations } = await import("@/lib/db/migrate");
await deployMigrations(databaseUrl);
// Per-connection settings first, as every entry point does: an admin is now a user and its
// credential, written in one transaction, and SQLite refuses those settings inside one.
await (await import("@/lib/db/connection")).dbReady();
const auth = await import("@/lib/admin/auth");
const data = {
  ...(await import("@/lib/db/admins")),
  ...(await import("@/lib/db/agents")),
  ...(await import("@/lib/db/dashboard")),
  ...(await import("@/lib/db/messages")),
  ...(await import("@/lib/db/runs")),
  ...(await import("@/lib/db/sessions")),
  ...(await import("@/lib/db/settings")),
};

const headers = (h: Record<string, string>) => new Headers(h);

describe("passwords", () => {
  test("scrypt hashes verify, carry their parameters and salt, never the password", async () => {
    const hash = await hashPassword("correct horse battery");
    assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    assert.ok(!hash.includes("correct"));
    assert.equal(await verifyPassword("correct horse battery", hash), true);
    assert.equal(await verifyPassword("correct horse batterY", hash), false);
    assert.equal(await verifyPassword("", hash), false);
    assert.notEqual(await hashPassword("correct horse battery"), hash, "a fresh salt every time");
  });

  test("malformed or hostile stored hashes are rejected, not trusted", async () => {
    for (const bad of [
      "",
      "plain",
      "scrypt$1$8$1$AAAA$AAAA",
      "scrypt$4194304$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
      "bcrypt$x$y$z$a$b",
    ]) {
      assert.equal(await verifyPassword("x", bad), false, bad);
    }
  });
});

describe("signed session cookie", () => {
  const secret = randomBytes(32).toString("hex");

  test("a signed token verifies; any change to token or signature, or another key, does not", () => {
    const token = newSessionToken();
    const cookie = signSessionToken(token, secret);
    assert.equal(verifySessionCookie(cookie, secret), token);
    const [t, sig] = cookie.split(".");
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
    assert.equal(verifySessionCookie(`${flip(t)}.${sig}`, secret), null);
    assert.equal(verifySessionCookie(`${t}.${flip(sig)}`, secret), null);
    assert.equal(verifySessionCookie(cookie, randomBytes(32).toString("hex")), null);
    assert.equal(verifySessionCookie(`${newSessionToken()}.${sig}`, secret), null);
    for (const junk of [undefined, "", ".", "abc", `${t}.`, `.${sig}`, "x".repeat(500)])
      assert.equal(verifySessionCookie(junk, secret), null);
  });
});

describe("CSRF", () => {
  const secret = randomBytes(32).toString("hex");
  const session = newSessionToken();

  test("the session's own token passes", () => {
    assert.equal(verifyCsrfToken(session, csrfTokenFor(session, secret), secret), true);
  });

  test("a forged token is refused: missing, empty, guessed, another session's, made with another key", () => {
    const forged = [
      undefined,
      null,
      "",
      "csrf",
      randomBytes(32).toString("base64url"),
      csrfTokenFor(newSessionToken(), secret),
      csrfTokenFor(session, randomBytes(32).toString("hex")),
      signSessionToken(session, secret), // the cookie is not the token
      ["array"],
    ];
    for (const token of forged) assert.equal(verifyCsrfToken(session, token, secret), false, String(token));
  });

  test("same-origin check: the Origin (or Referer) must name the requested host", () => {
    assert.equal(isSameOrigin(headers({ host: "tandem.example", origin: "https://tandem.example" })), true);
    assert.equal(
      isSameOrigin(headers({ host: "tandem.example", referer: "https://tandem.example/admin/agents" })),
      true,
    );
    assert.equal(isSameOrigin(headers({ host: "tandem.example", origin: "https://evil.example" })), false);
    assert.equal(
      isSameOrigin(headers({ host: "tandem.example", origin: "https://tandem.example.evil.example" })),
      false,
    );
    assert.equal(isSameOrigin(headers({ host: "tandem.example", origin: "null" })), false);
    assert.equal(isSameOrigin(headers({ host: "tandem.example" })), false, "no Origin and no Referer");
    assert.equal(isSameOrigin(headers({ origin: "https://tandem.example" })), false, "no Host");
  });
});

describe("login throttling policy", () => {
  test("free attempts first, then a doubling wait with a ceiling", () => {
    const delays = Array.from({ length: 12 }, (_, i) => throttleDelayMs(i + 1));
    assert.deepEqual(delays.slice(0, 4), [0, 0, 0, 0]);
    assert.equal(delays[4], THROTTLE.baseDelayMs);
    assert.equal(delays[5], THROTTLE.baseDelayMs * 2);
    assert.equal(throttleDelayMs(1000), THROTTLE.maxDelayMs);
    assert.equal(throttleDelayMs(THROTTLE.freePerAddress - 1, THROTTLE.freePerAddress), 0);
    assert.ok(THROTTLE.freePerAddress > THROTTLE.freePerUsernameAndAddress);
  });
});

describe("accounts, login and sessions (database)", () => {
  before(async () => {
    await auth.createAdmin({ username: "alice", password: "a long passphrase" });
  });

  test("account rules: password length, not numeric, not the username; no duplicates", async () => {
    await assert.rejects(auth.createAdmin({ username: "bob", password: "short" }), /at least 10/);
    await assert.rejects(auth.createAdmin({ username: "bob", password: "12345678901" }), /entirely numeric/);
    await assert.rejects(
      auth.createAdmin({ username: "bobbybobby", password: "BobbyBobby" }),
      /similar to the username/,
    );
    await assert.rejects(auth.createAdmin({ username: "alice", password: "another passphrase" }), /already exists/);
    const stored = await data.findAdminUser("alice");
    assert.ok(stored?.passwordHash?.startsWith("scrypt$") && !stored.passwordHash.includes("passphrase"));
  });

  test("a good login gives a session whose cookie and CSRF token work; logout revokes it", async () => {
    const result = await auth.login({ username: "alice", password: "a long passphrase", clientAddress: "10.0.0.1" });
    assert.ok(result.ok);
    const session = await auth.sessionFromCookie(result.cookieValue);
    assert.equal(session?.username, "alice");
    assert.equal(await auth.csrfValid(session!, session!.csrfToken), true);
    assert.equal(await auth.csrfValid(session!, "forged"), false);
    assert.ok(session!.expiresAt.getTime() - Date.now() <= auth.SESSION_TTL_MS);

    // The database keeps only a hash of the token.
    const db = new Database(databaseUrl.replace(/^file:/, ""), { readonly: true });
    const rows = db.prepare("SELECT token_hash FROM admin_session").all() as Array<{ token_hash: string }>;
    db.close();
    assert.ok(rows.length >= 1 && rows.every((r) => !result.cookieValue.includes(r.token_hash)));

    await auth.logout(result.cookieValue);
    assert.equal(
      await auth.sessionFromCookie(result.cookieValue),
      null,
      "logged out means gone, not just a deleted cookie",
    );
  });

  test("the secret key is generated once and kept in the database", async () => {
    const a = await auth.secretKey();
    const b = await auth.secretKey();
    assert.equal(a, b);
    assert.equal(await data.getSetting("secret_key"), a);
    assert.ok(a.length >= 64);
  });

  test("repeated failures slow that address down, even with the right password; success clears the count", async () => {
    const address = "10.0.0.9";
    for (let i = 1; i < THROTTLE.freePerUsernameAndAddress; i++) {
      const r = await auth.login({ username: "alice", password: `wrong ${i}`, clientAddress: address });
      assert.deepEqual(r, { ok: false, error: "Wrong username or password." });
    }
    const fifth = await auth.login({ username: "alice", password: "wrong 5", clientAddress: address });
    assert.ok(!fifth.ok && fifth.retryAfterSeconds === THROTTLE.baseDelayMs / 1000, JSON.stringify(fifth));
    assert.match(fifth.ok ? "" : fifth.error, /Too many failed sign-in attempts\. Try again in 2 seconds\./);
    const blocked = await auth.login({ username: "ALICE", password: "a long passphrase", clientAddress: address });
    assert.ok(!blocked.ok && /Too many/.test(blocked.error), "blocked for that address, whatever the case");
    const elsewhere = await auth.login({
      username: "alice",
      password: "a long passphrase",
      clientAddress: "10.0.0.10",
    });
    assert.ok(elsewhere.ok, "another address without failures of its own signs in: nobody can lock alice out");
    assert.ok(
      !(await auth.login({ username: "alice", password: "a long passphrase", clientAddress: address })).ok,
      "still throttled",
    );

    await new Promise((r) => setTimeout(r, THROTTLE.baseDelayMs + 100));
    const sixth = await auth.login({ username: "alice", password: "wrong 6", clientAddress: address });
    assert.ok(!sixth.ok && sixth.retryAfterSeconds === (2 * THROTTLE.baseDelayMs) / 1000, "the wait doubles");
    await data.clearLoginThrottles([`ip:${address} user:alice`]); // as if the wait had passed
    const good = await auth.login({ username: "alice", password: "a long passphrase", clientAddress: address });
    assert.ok(good.ok);
    assert.deepEqual(await data.loginThrottles([`ip:${address} user:alice`, `ip:${address}`]), []);
  });

  test("one address trying many usernames is throttled as an address", async () => {
    const address = "10.0.0.11";
    for (let i = 1; i < THROTTLE.freePerAddress; i++) {
      const r = await auth.login({ username: `guess${i}`, password: "whatever it is", clientAddress: address });
      assert.deepEqual(r, { ok: false, error: "Wrong username or password." }, `attempt ${i}`);
    }
    const last = await auth.login({ username: "guess-last", password: "whatever it is", clientAddress: address });
    assert.ok(!last.ok && last.retryAfterSeconds === THROTTLE.baseDelayMs / 1000, JSON.stringify(last));
    assert.ok(!(await auth.login({ username: "alice", password: "a long passphrase", clientAddress: address })).ok);
    assert.ok((await auth.login({ username: "alice", password: "a long passphrase", clientAddress: "10.0.0.12" })).ok);
  });

  test("unknown usernames fail the same way (and are throttled too)", async () => {
    const r = await auth.login({ username: "mallory", password: "whatever it is", clientAddress: "10.0.0.20" });
    assert.deepEqual(r, { ok: false, error: "Wrong username or password." });
  });

  test("a password reset signs the admin out everywhere", async () => {
    const r = await auth.login({ username: "alice", password: "a long passphrase", clientAddress: "10.0.0.30" });
    assert.ok(r.ok);
    await auth.createAdmin({ username: "alice", password: "a brand new passphrase", reset: true });
    assert.equal(await auth.sessionFromCookie(r.cookieValue), null);
    assert.ok(
      (await auth.login({ username: "alice", password: "a brand new passphrase", clientAddress: "10.0.0.30" })).ok,
    );
  });
});

describe("tool schemas are checked as JSON Schema", () => {
  test("valid object schemas pass (2020-12 and draft-07); broken ones say why", () => {
    assert.deepEqual(
      toolSchemaProblems({ type: "object", properties: { q: { type: "string" } }, required: ["q"] }),
      [],
    );
    assert.deepEqual(toolSchemaProblems({ $schema: "http://json-schema.org/draft-07/schema#", type: "object" }), []);
    assert.match(toolSchemaProblems({ type: "object", properties: { q: { type: "strng" } } })[0], /type/);
    assert.match(toolSchemaProblems({ type: "object", requried: ["q"] })[0], /unknown keyword: "requried"/);
    assert.match(
      toolSchemaProblems({ type: "object", properties: { q: { $ref: "#/nowhere" } } })[0],
      /resolve reference/,
    );
    assert.match(toolSchemaProblems({ type: "string" })[0], /object schema/);
    assert.match(toolSchemaProblems([])[0], /JSON object/);
    assert.match(
      toolSchemaProblems({ $schema: "http://json-schema.org/draft-04/schema#", type: "object" })[0],
      /Unsupported/,
    );
  });
});

describe("a real server refuses forged admin requests", () => {
  let server: TandemServer;
  let cookie: string;

  before(async () => {
    server = await startServer({ databaseUrl });
    const r = await auth.login({ username: "alice", password: "a brand new passphrase", clientAddress: "10.0.0.40" });
    assert.ok(r.ok);
    cookie = `${auth.ADMIN_COOKIE}=${r.cookieValue}`;
  });
  after(async () => {
    await server?.stop();
  });

  /** The page's sign-out form: its server action id and CSRF token, as a browser would see them. */
  async function signOutForm() {
    const res = await fetch(`${server.url}/admin/agents`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const html = await res.text();
    const actionId = /name="\$ACTION_ID_([0-9a-f]+)"/.exec(html)?.[1];
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(actionId && csrf, "the sign-out form is a server action with a token");
    return { actionId, csrf };
  }

  async function postSignOut(form: { actionId: string; csrf?: string }, origin: string) {
    const body = new FormData();
    body.set(`$ACTION_ID_${form.actionId}`, "");
    if (form.csrf !== undefined) body.set("csrf_token", form.csrf);
    return fetch(`${server.url}/admin/agents`, {
      method: "POST",
      body,
      headers: { cookie, origin },
      redirect: "manual",
    });
  }

  const signedIn = async () =>
    (await fetch(`${server.url}/admin/agents`, { headers: { cookie }, redirect: "manual" })).status === 200;

  test("without a session cookie, admin pages redirect to the login page", async () => {
    const res = await fetch(`${server.url}/admin/sessions`, { redirect: "manual" });
    assert.equal(res.status, 307);
    assert.equal(res.headers.get("location"), "/admin/login?next=%2Fadmin%2Fsessions");
  });

  /** The new-agent form's action: a form-state action (useActionState), as its no-JS fields name it. */
  async function formStateActionId() {
    const html = await (await fetch(`${server.url}/admin/agents/new`, { headers: { cookie } })).text();
    const id = /name="\$ACTION_\d+:0" value="\{&quot;id&quot;:&quot;([0-9a-f]+)&quot;/.exec(html)?.[1];
    assert.ok(id, "the form carries its action for browsers without JavaScript");
    return id;
  }

  const agentCount = async () => (await data.listAgents()).length;

  test("another origin is refused before any action runs (403), even when it names itself in X-Forwarded-Host", async () => {
    const form = await signOutForm();
    const agents = await agentCount();
    const evil = { origin: "http://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "http" };
    const mpa = new FormData();
    mpa.set(`$ACTION_ID_${form.actionId}`, "");
    mpa.set("csrf_token", form.csrf);
    const asAction = new FormData();
    asAction.set("_1_csrf_token", form.csrf);
    asAction.set("0", JSON.stringify(["$K1"]));
    for (const [name, init] of [
      ["no-JS form post", { body: mpa, headers: { cookie, ...evil } }],
      ["fetch action", { body: asAction, headers: { cookie, ...evil, "next-action": form.actionId } }],
      ["no-JS form post without Origin or Referer", { body: mpa, headers: { cookie } }],
      [
        "urlencoded form post",
        { body: "a=b", headers: { cookie, ...evil, "content-type": "application/x-www-form-urlencoded" } },
      ],
    ] as const) {
      const res = await fetch(`${server.url}/admin/agents`, { method: "POST", redirect: "manual", ...init });
      assert.equal(res.status, 403, name);
      assert.deepEqual(await res.json(), { detail: "Cross-site request refused." }, name);
    }
    assert.equal(await signedIn(), true, "still signed in");
    assert.equal(await agentCount(), agents);
  });

  test("malformed server-action requests are 4xx, not 500", async () => {
    const form = await signOutForm();
    const post = (headers: Record<string, string>, body: BodyInit) =>
      fetch(`${server.url}/admin/agents`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, origin: server.url, ...headers },
        body,
      });
    const multipart = (fields: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.set(k, v);
      return f;
    };
    const action = { "next-action": form.actionId };
    const cases: Array<[string, Promise<Response>, number]> = [
      ["garbage text", post({ ...action, "content-type": "text/plain" }, "{{{garbage"), 400],
      [
        "JSON text (the admin's actions always take a form)",
        post({ ...action, "content-type": "text/plain" }, "[]"),
        400,
      ],
      [
        "truncated multipart",
        post({ ...action, "content-type": "multipart/form-data; boundary=x" }, "--x\r\ngarbage"),
        400,
      ],
      ["root row not JSON", post(action, multipart({ 0: "{nope" })), 400],
      ["root row not an argument list", post(action, multipart({ 0: "{}" })), 400],
      ["an unknown action", post({ "next-action": "00".repeat(21) }, multipart({ 0: "[]" })), 409],
      ["arguments without a form", post(action, multipart({ 0: "[]" })), 404],
      [
        "no-JS post naming a form-state action by id",
        post({}, multipart({ [`$ACTION_ID_${await formStateActionId()}`]: "", name: "x" })),
        404,
      ],
      ["no-JS post naming no action", post({}, multipart({ name: "x" })), 400],
    ];
    for (const [name, request, status] of cases) {
      const res = await request;
      await res.arrayBuffer();
      assert.equal(res.status, status, name);
    }
    assert.equal(await signedIn(), true);
  });

  test("a forged request (wrong or missing CSRF token, or another origin) changes nothing; the real form works", async () => {
    const form = await signOutForm();
    for (const forged of [
      { ...form, csrf: "forged" },
      { ...form, csrf: undefined },
      { ...form, csrf: csrfTokenFor(newSessionToken(), await auth.secretKey()) },
    ]) {
      await postSignOut(forged, server.url);
      assert.equal(await signedIn(), true, `still signed in after a forged sign-out (csrf ${forged.csrf})`);
    }
    await postSignOut(form, "https://evil.example");
    assert.equal(await signedIn(), true, "a cross-site post is refused");

    const res = await postSignOut(form, server.url);
    assert.ok([303, 307].includes(res.status), `status ${res.status}`);
    assert.equal(await signedIn(), false, "the genuine sign-out did sign out");
  });
});

describe("a stranger cannot lock an admin out (TANDEM_TRUST_PROXY=1 plays two addresses)", () => {
  let server: TandemServer;
  before(async () => {
    server = await startServer({
      env: { TANDEM_TRUST_PROXY: "1", ADMIN_USERNAME: "root", ADMIN_PASSWORD: "the right passphrase" },
    });
  });
  after(async () => {
    await server?.stop();
  });

  /** Signs in through the login page's form as a browser without JavaScript would, from `address`. */
  async function signIn(password: string, address: string) {
    const html = await (await fetch(`${server.url}/admin/login`)).text();
    const form = new FormData();
    for (const [, name, value = ""] of html.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g)) {
      form.set(name, value.replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
    }
    form.set("username", "root");
    form.set("password", password);
    const res = await fetch(`${server.url}/admin/login`, {
      method: "POST",
      body: form,
      redirect: "manual",
      headers: { origin: server.url, "x-forwarded-for": `203.0.113.50, ${address}` },
    });
    const text = await res.text();
    if (res.status === 303 && /tandem_admin=[^;]+\./.test(res.headers.get("set-cookie") ?? "")) return "signed in";
    assert.equal(res.status, 200, text.slice(0, 300));
    return /Too many failed sign-in attempts/.test(text)
      ? "throttled"
      : /Wrong username or password/.test(text)
        ? "wrong"
        : text.slice(0, 300);
  }

  test("failures from address A do not refuse the right password from address B; A stays throttled", async () => {
    const attacker = "198.51.100.1";
    const results = [];
    for (let i = 0; i < THROTTLE.freePerUsernameAndAddress; i++)
      results.push(await signIn(`wrong guess ${i}`, attacker));
    assert.deepEqual(results, [...Array(THROTTLE.freePerUsernameAndAddress - 1).fill("wrong"), "throttled"]);
    assert.equal(await signIn("the right passphrase", attacker), "throttled", "A is throttled, right password or not");
    assert.equal(await signIn("the right passphrase", "198.51.100.2"), "signed in", "the admin at B signs in");
    assert.equal(await signIn("the right passphrase", attacker), "throttled", "and A is still throttled");
  });
});

describe("the dashboard's aggregates stay fast at 100,000 messages", () => {
  test("runs per day, agent stats per day and list pages", async () => {
    const db = new Database(databaseUrl.replace(/^file:/, ""));
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");
    db.exec(`INSERT INTO agent (name, role, description, model_hint, is_active, created_at, updated_at)
             VALUES ('bulk-a', 'a', '', '', 1, '${iso(now)}', '${iso(now)}'), ('bulk-b', 'b', '', '', 1, '${iso(now)}', '${iso(now)}')`);
    const agents = (db.prepare("SELECT id FROM agent WHERE name LIKE 'bulk-%'").all() as Array<{ id: number }>).map(
      (a) => a.id,
    );
    const insertSession = db.prepare(
      "INSERT INTO chat_session (session_id, title, user_id, created_at, updated_at) VALUES (?, ?, '', ?, ?)",
    );
    const insertRun = db.prepare(
      "INSERT INTO run_log (session_id, status, details, extra, instance_id, created_at, updated_at) VALUES (?, ?, '', ?, '', ?, ?)",
    );
    const insertMessage = db.prepare(
      "INSERT INTO message (session_id, role, agent_id, content, tool_name, tokens_prompt, tokens_completion, latency_ms, created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
    );
    const statuses = ["success", "success", "success", "error", "cancelled"];
    db.transaction(() => {
      for (let s = 0; s < 1000; s++) {
        const t = iso(now - (s % 30) * 86_400_000);
        const pk = Number(insertSession.run(`bulk-${s}`, `Bulk ${s}`, t, t).lastInsertRowid);
        for (let r = 0; r < 5; r++)
          insertRun.run(pk, statuses[r], JSON.stringify({ agents: [{ agent: "bulk-a" }] }), t, t);
        for (let m = 0; m < 100; m++) {
          const agent = m % 3 === 0 ? null : agents[m % 2];
          insertMessage.run(
            pk,
            agent ? "agent" : "user",
            agent,
            `message ${m} of session ${s}`,
            agent ? 50 : null,
            agent ? 20 : null,
            agent ? 100 + m : null,
            t,
            t,
          );
        }
      }
    })();
    db.close();
    assert.equal((await data.dashboardTotals()).messages >= 100_000, true);

    const timed = async <T>(label: string, work: () => Promise<T>) => {
      const started = performance.now();
      const result = await work();
      const ms = performance.now() - started;
      console.log(`# ${label}: ${ms.toFixed(0)} ms`);
      assert.ok(ms < 2000, `${label} took ${ms.toFixed(0)} ms`);
      return result;
    };
    const since = new Date(now - 30 * 86_400_000);
    const runs = await timed("runsPerDay (5,000 runs)", () => data.runsPerDay(since));
    assert.equal(runs.reduce((n, r) => n + r.count, 0) >= 5000, true);
    assert.ok(runs.some((r) => r.status === "error"));
    const stats = await timed("agentStatsPerDay (100,000 messages)", () => data.agentStatsPerDay(since));
    const a = stats.filter((s) => s.agentId === agents[0]);
    assert.ok(a.length >= 29 && a.every((s) => s.tokens === s.messages * 70 && s.avgLatencyMs! > 100));
    await timed("messages page 1", () => data.listMessagesPage({ limit: 25, offset: 0 }));
    await timed("messages page 4000", () => data.listMessagesPage({ limit: 25, offset: 99_975 }));
    const hits = await timed("messages search", () =>
      data.listMessagesPage({ q: "OF SESSION 999", limit: 25, offset: 0 }),
    );
    assert.equal(hits.total, 100);
    await timed("messages by role", () => data.listMessagesPage({ role: "agent", limit: 25, offset: 0 }));
    const byAgent = await timed("runs by agent (JSON)", () =>
      data.listRunsPage({ agent: "bulk-a", limit: 25, offset: 0 }),
    );
    assert.equal(byAgent.total, 5000);
    await timed("sessions search", () => data.listSessionsPage({ q: "bulk 99", limit: 25, offset: 0 }));
  });
});

describe("where a login may lead", async () => {
  const { safeNext } = await import("@/lib/admin/next");
  test("only admin paths, never another site", () => {
    assert.equal(safeNext("/admin/messages?session=abc&role=tool"), "/admin/messages?session=abc&role=tool");
    assert.equal(safeNext("/admin?days=30"), "/admin?days=30");
    for (const bad of [
      "https://evil.example/admin",
      "//evil.example",
      "/admin//evil.example",
      "/adminx",
      "/api/sessions",
      "/admin/\\evil",
      undefined,
      42,
    ]) {
      assert.equal(safeNext(bad), "/admin", String(bad));
    }
  });
});

/**
 * Accounts (TANDEM_AUTH=accounts): sign-up policy (the first user is admin), and ownership
 * through every path: two users cannot see, open, send to, subscribe to or delete each other's
 * chats by REST, the root mirror, search, messages or the WebSocket; admins see all; a cookie
 * counts only from the app's own origin.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { newPersonalKey } from "@/lib/accounts/principal";
import { authPost, type Person, signIn, signUp, upgradeStatus } from "./support/accounts";
import { startServer, type TandemServer } from "./support/server";

const ACCOUNTS = { TANDEM_AUTH: "accounts", TANDEM_ADMIN_SECURE_COOKIE: "false" };

/** Runs SQL on a test server's SQLite database (what the settings page's actions store). */
function sql(server: TandemServer, query: string, ...args: unknown[]) {
  const db = new Database(server.databaseUrl.replace(/^file:/, ""));
  try {
    return db.prepare(query).run(...args);
  } finally {
    db.close();
  }
}

/** A personal key for a user, stored as the settings page stores one (hash only). */
function issueKey(server: TandemServer, userId: string): string {
  const { key, prefix, keyHash } = newPersonalKey();
  sql(
    server,
    "INSERT INTO api_key (user_id, name, prefix, key_hash) VALUES (?, 'test', ?, ?)",
    userId,
    prefix,
    keyHash,
  );
  return key;
}

describe("accounts: ownership everywhere", () => {
  let server: TandemServer;
  let root: Person;
  let alice: Person;
  let bob: Person;
  let aliceChat: string;
  let aliceMessageId: number;

  before(async () => {
    server = await startServer({ env: ACCOUNTS });
    root = await signUp(server, "root");
    alice = await signUp(server, "alice");
    bob = await signUp(server, "bob");
    const created = await alice.fetch("/api/sessions/", {
      method: "POST",
      body: JSON.stringify({ title: "alice's plans", user_id: "someone-else" }),
    });
    assert.equal(created.status, 201);
    const session = (await created.json()) as { session_id: string; user_id: string };
    aliceChat = session.session_id;
    // The compat user_id is the owner's id, whatever the body said.
    assert.equal(session.user_id, alice.id);
    const sent = await alice.fetch(`/api/sessions/${aliceChat}/send/`, {
      method: "POST",
      body: JSON.stringify({ content: "zanzibar gearbox secrets" }),
    });
    assert.equal(sent.status, 200, await sent.clone().text());
    const history = (await (await alice.fetch(`/api/sessions/${aliceChat}/history/`)).json()) as Array<{
      id: number;
      role: string;
    }>;
    aliceMessageId = history.find((m) => m.role === "agent")!.id;
  });
  after(() => server?.stop());

  test("the first user is the admin; later ones are users", async () => {
    const roleOf = async (p: Person) =>
      ((await (await p.fetch("/api/auth/get-session")).json()) as { user: { role: string } }).user.role;
    assert.equal(await roleOf(root), "admin");
    assert.equal(await roleOf(alice), "user");
  });

  test("no credentials: 401 on the API and its mirror; health stays open", async () => {
    for (const path of ["/api/sessions/", "/sessions/", `/api/sessions/${aliceChat}/`, "/api/search/?q=x"]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 401, path);
      assert.match(res.headers.get("www-authenticate") ?? "", /Bearer/);
    }
    assert.equal((await fetch(`${server.url}/api/health/`)).status, 200);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/chat/${aliceChat}/`), 401);
  });

  test("another user's chat is a 404 through every path", async () => {
    const paths: Array<[string, string, object?]> = [
      ["GET", `/api/sessions/${aliceChat}/`],
      ["GET", `/sessions/${aliceChat}/`],
      ["GET", `/sessions/${aliceChat}`],
      ["GET", `/api/sessions/${aliceChat}/state/`],
      ["GET", `/api/sessions/${aliceChat}/history/`],
      ["GET", `/api/sessions/${aliceChat}/runs/`],
      ["GET", `/api/sessions/${aliceChat}/turns/`],
      ["PATCH", `/api/sessions/${aliceChat}/`, { title: "mine now" }],
      ["PUT", `/sessions/${aliceChat}/`, { title: "mine now" }],
      ["POST", `/api/sessions/${aliceChat}/send/`, { content: "hello" }],
      ["POST", `/sessions/${aliceChat}/send/`, { content: "hello" }],
      ["POST", `/api/sessions/${aliceChat}/cancel/`],
      ["POST", `/api/sessions/${aliceChat}/regenerate/`],
      ["DELETE", `/api/sessions/${aliceChat}/`],
      ["DELETE", `/sessions/${aliceChat}/`],
      ["GET", `/api/messages/${aliceMessageId}/`],
      ["PUT", `/api/messages/${aliceMessageId}/rating/`, { rating: 1 }],
    ];
    for (const [method, path, body] of paths) {
      const res = await bob.fetch(path, { method, body: body ? JSON.stringify(body) : undefined });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(await res.json(), { detail: "Not found." });
    }
    // Unchanged and still there for its owner.
    const mine = await alice.fetch(`/api/sessions/${aliceChat}/`);
    assert.equal(mine.status, 200);
    assert.equal(((await mine.json()) as { title: string }).title, "alice's plans");
  });

  test("lists, summaries, messages and search show only your own", async () => {
    const bobChat = (await (
      await bob.fetch("/api/sessions/", { method: "POST", body: JSON.stringify({ title: "bob's" }) })
    ).json()) as { session_id: string };
    const ids = async (p: Person, path: string) =>
      ((await (await p.fetch(path)).json()) as Array<{ session_id: string }>).map((s) => s.session_id);
    assert.deepEqual(await ids(bob, "/api/sessions/"), [bobChat.session_id]);
    assert.deepEqual(await ids(bob, "/sessions/?view=summary"), [bobChat.session_id]);
    assert.deepEqual(await ids(alice, "/api/sessions/"), [aliceChat]);
    const bobList = await bob.fetch("/api/sessions/");
    assert.equal(bobList.headers.get("x-total-count"), "1");

    assert.deepEqual(await (await bob.fetch(`/api/messages/?session=${aliceChat}`)).json(), []);
    assert.deepEqual(await (await bob.fetch("/api/messages/")).json(), []);
    assert.ok(((await (await alice.fetch("/api/messages/")).json()) as unknown[]).length >= 2);

    const bobSearch = await bob.fetch("/api/search/?q=zanzibar");
    assert.deepEqual(await bobSearch.json(), []);
    assert.equal(bobSearch.headers.get("x-total-count"), "0");
    const aliceSearch = (await (await alice.fetch("/api/search/?q=zanzibar")).json()) as Array<{ session_id: string }>;
    assert.ok(aliceSearch.length >= 1 && aliceSearch.every((hit) => hit.session_id === aliceChat));
  });

  test("admins see everyone's chats", async () => {
    const all = ((await (await root.fetch("/api/sessions/")).json()) as Array<{ session_id: string }>).map(
      (s) => s.session_id,
    );
    assert.ok(all.includes(aliceChat));
    assert.equal((await root.fetch(`/api/sessions/${aliceChat}/state/`)).status, 200);
    assert.ok(((await (await root.fetch("/api/search/?q=zanzibar")).json()) as unknown[]).length >= 1);
  });

  test("the WebSocket: your own chat opens, another's is a 404", async () => {
    const url = `${server.wsUrl}/ws/chat/${aliceChat}/`;
    assert.equal(await upgradeStatus(url, { cookie: alice.cookie, origin: server.url }), 101);
    assert.equal(await upgradeStatus(url, { cookie: bob.cookie, origin: server.url }), 404);
    assert.equal(await upgradeStatus(url, { cookie: root.cookie, origin: server.url }), 101);
  });

  test("a session cookie counts only from the app's own origin", async () => {
    const evil = "http://127.0.0.1:1";
    const res = await alice.fetch("/api/sessions/", { headers: { origin: evil } });
    assert.equal(res.status, 401);
    const sameSite = await alice.fetch("/api/sessions/", { headers: { "sec-fetch-site": "same-site" } });
    assert.equal(sameSite.status, 401);
    assert.equal(
      await upgradeStatus(`${server.wsUrl}/ws/chat/${aliceChat}/`, { cookie: alice.cookie, origin: evil }),
      401,
    );
    // Sign-in answers are never readable cross-origin.
    const preflight = await fetch(`${server.url}/api/auth/get-session`, {
      headers: { origin: evil, cookie: alice.cookie },
    });
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
  });

  test("signing out ends the session at once, though its cookie was just accepted; signing in again works", async () => {
    const again = await signIn(server, "alice");
    // Without the signed cookie cache, which Better Auth itself honours for its minute.
    const tokenOnly = {
      cookie: again.cookie
        .split("; ")
        .filter((c) => !c.includes("session_data"))
        .join("; "),
    };
    // Accepted now, so this instance remembers the cookie for a few seconds.
    assert.equal((await fetch(`${server.url}/api/sessions/`, { headers: tokenOnly })).status, 200);
    const out = await again.fetch("/api/auth/sign-out", {
      method: "POST",
      body: "{}",
      headers: { origin: server.url },
    });
    assert.equal(out.status, 200);
    // Signing out deletes the session row, and the instance forgets the cookie with it.
    const afterOut = await fetch(`${server.url}/api/sessions/`, { headers: tokenOnly });
    assert.equal(afterOut.status, 401);
    assert.equal((await alice.fetch("/api/sessions/")).status, 200);
  });

  test("a personal key acts as its user on the API and the WebSocket; revoked, it is a 401", async () => {
    const key = issueKey(server, bob.id);
    const bearer = { authorization: `Bearer ${key}` };
    const list = await fetch(`${server.url}/api/sessions/`, { headers: bearer });
    assert.equal(list.status, 200);
    const ids = ((await list.json()) as Array<{ user_id: string }>).map((s) => s.user_id);
    assert.ok(ids.length >= 1 && ids.every((id) => id === bob.id));
    assert.equal((await fetch(`${server.url}/sessions/${aliceChat}/`, { headers: bearer })).status, 404);
    // A key works from any origin (it is not a cookie).
    const created = await fetch(`${server.url}/api/sessions/`, {
      method: "POST",
      headers: { ...bearer, origin: "http://elsewhere.example", "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(created.status, 201);
    const bobChat = ((await created.json()) as { session_id: string }).session_id;
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/chat/${bobChat}/?token=${key}`), 101);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/chat/${aliceChat}/?token=${key}`), 404);

    sql(server, "DELETE FROM api_key WHERE user_id = ?", bob.id);
    assert.equal((await fetch(`${server.url}/api/sessions/`, { headers: bearer })).status, 401);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/chat/${bobChat}/?token=${key}`), 401);
    // A bad key is refused even alongside a good cookie: no quiet fallback.
    assert.equal((await bob.fetch("/api/sessions/", { headers: bearer })).status, 401);
  });

  test("a shared link shows the chat read-only to anyone, until revoked", async () => {
    const token = "share-test-token-0123456789";
    sql(
      server,
      "INSERT INTO share_link (token, session_id) SELECT ?, id FROM chat_session WHERE session_id = ?",
      token,
      aliceChat,
    );
    const page = await fetch(`${server.url}/s/${token}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /zanzibar gearbox secrets/);
    assert.match(html, /alice&#x27;s plans|alice's plans/);
    assert.doesNotMatch(html, /data-testid="composer|data-testid="sidebar/);
    sql(server, "DELETE FROM share_link WHERE token = ?", token);
    assert.equal((await fetch(`${server.url}/s/${token}`)).status, 404);
  });

  test("a wrong password is refused", async () => {
    const res = await authPost(server, "sign-in/username", { username: "alice", password: "not the password" });
    assert.equal(res.status, 401);
  });
});

describe("accounts: sign-up policy", () => {
  test("invite: the first user needs none, the next one a valid code", async () => {
    const server = await startServer({
      env: { ...ACCOUNTS, TANDEM_SIGNUP: "invite", TANDEM_INVITE_CODES: "friends-2026,other", TANDEM_TRUST_PROXY: "1" },
    });
    try {
      await signUp(server, "first");
      await assert.rejects(signUp(server, "stranger"), /403/);
      await assert.rejects(signUp(server, "guesser", { inviteCode: "wrong" }), /403/);
      const friend = await signUp(server, "friend", { inviteCode: "friends-2026" });
      assert.equal((await friend.fetch("/api/sessions/")).status, 200);
    } finally {
      await server.stop();
    }
  });

  test("admin: nobody signs up after the first user", async () => {
    const server = await startServer({ env: { ...ACCOUNTS, TANDEM_SIGNUP: "admin" } });
    try {
      await signUp(server, "boss");
      await assert.rejects(signUp(server, "walkin"), /403/);
    } finally {
      await server.stop();
    }
  });
});

describe("accounts: per-user limits", () => {
  test("send rate and daily messages are counted per user: 429 with Retry-After", async () => {
    const server = await startServer({
      env: { ...ACCOUNTS, TANDEM_SEND_RATE: "100/min", TANDEM_USER_DAILY_MESSAGES: "2" },
    });
    try {
      await signUp(server, "admin0");
      const carol = await signUp(server, "carol");
      const dave = await signUp(server, "dave");
      const chatOf = async (p: Person) =>
        ((await (await p.fetch("/api/sessions/", { method: "POST", body: "{}" })).json()) as { session_id: string })
          .session_id;
      const carolChat = await chatOf(carol);
      const send = (p: Person, chat: string) =>
        p.fetch(`/api/sessions/${chat}/send/`, { method: "POST", body: JSON.stringify({ content: "hi" }) });
      assert.equal((await send(carol, carolChat)).status, 200);
      assert.equal((await send(carol, carolChat)).status, 200);
      const refused = await send(carol, carolChat);
      assert.equal(refused.status, 429);
      const wait = Number(refused.headers.get("retry-after"));
      assert.ok(wait >= 1 && wait <= 86_400, String(wait));
      // Another user's allowance is their own.
      assert.equal((await send(dave, await chatOf(dave))).status, 200);
    } finally {
      await server.stop();
    }
    const rated = await startServer({ env: { ...ACCOUNTS, TANDEM_SEND_RATE: "1/hour" } });
    try {
      const erin = await signUp(rated, "erin");
      const chat = (
        (await (await erin.fetch("/api/sessions/", { method: "POST", body: "{}" })).json()) as {
          session_id: string;
        }
      ).session_id;
      const send = () =>
        erin.fetch(`/api/sessions/${chat}/send/`, { method: "POST", body: JSON.stringify({ content: "hi" }) });
      assert.equal((await send()).status, 200);
      const refused = await send();
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
    } finally {
      await rated.stop();
    }
  });
});

describe("auth off", () => {
  test("everything open as before; accounts' endpoints do not exist", async () => {
    const server = await startServer();
    try {
      assert.equal((await fetch(`${server.url}/api/sessions/`)).status, 200);
      const res = await authPost(server, "sign-up/email", {
        name: "x",
        email: "x@example.test",
        password: "p".repeat(12),
      });
      assert.equal(res.status, 404);
      assert.equal((await fetch(`${server.url}/sign-in`)).status, 404);
      assert.doesNotMatch(server.output(), /TANDEM_AUTH=off and listening/);
    } finally {
      await server.stop();
    }
  });

  test("listening beyond this machine with auth off says so loudly", async () => {
    const server = await startServer({ env: { HOSTNAME: "0.0.0.0", LOG_LEVEL: "info" } });
    try {
      await server.logEntry((l) => /TANDEM_AUTH=off and listening on 0\.0\.0\.0/.test(l.msg));
    } finally {
      await server.stop();
    }
  });
});

describe("accounts: session cookies remembered for a few seconds", () => {
  test("recalled by the exact Cookie header until they lapse, forgotten with their user, bounded", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 1_000_000 });
    const { cookieKey, forgetUser, recallSession, rememberSession } = await import("@/lib/accounts/recent-sessions");
    const alice = cookieKey("better-auth.session_token=a.sig");
    const bob = cookieKey("better-auth.session_token=b.sig");
    rememberSession(alice, { userId: "alice", admin: true });
    rememberSession(bob, { userId: "bob", admin: false });
    assert.deepEqual(recallSession(alice), { userId: "alice", admin: true });
    // Any other header, even one more cookie, is checked by Better Auth afresh.
    assert.equal(recallSession(cookieKey("better-auth.session_token=a.sig; theme=dark")), undefined);
    forgetUser("alice");
    assert.equal(recallSession(alice), undefined);
    assert.equal(recallSession(bob)?.userId, "bob");
    t.mock.timers.tick(9_999);
    assert.equal(recallSession(bob)?.userId, "bob");
    t.mock.timers.tick(1);
    assert.equal(recallSession(bob), undefined);
    for (let i = 0; i <= 10_000; i++) rememberSession(cookieKey(`c=${i}`), { userId: `u${i}`, admin: false });
    assert.equal(recallSession(cookieKey("c=0")), undefined);
    assert.equal(recallSession(cookieKey("c=1"))?.userId, "u1");
    assert.equal(recallSession(cookieKey("c=10000"))?.userId, "u10000");
  });
});

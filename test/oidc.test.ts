/**
 * OpenID Connect single sign-on against a real provider (`oidc-provider`, started here): the
 * authorization-code flow with PKCE from Tandem's sign-in endpoint through the provider's login
 * and consent pages to Tandem's callback. A new person becomes a Tandem user whose cookie works
 * on the API, signing in again is the same user, and the sign-up policy holds for SSO too
 * (TANDEM_SIGNUP=admin: a stranger is refused). An SSO identity is never linked to a password
 * account by email alone: Tandem does not verify emails, so anyone could have signed up with
 * someone else's address first (a pre-hijacked account).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { type Person, signUp } from "./support/accounts";
import { type OidcProvider, signInWithSso, startOidcProvider } from "./support/oidc";
import { freePort, startServer, type TandemServer } from "./support/server";

// Trusting the proxy lets each sign-in come from its own address (test/support/accounts.ts), under
// Better Auth's per-address limit on sign-ins.
const ACCOUNTS = { TANDEM_AUTH: "accounts", TANDEM_ADMIN_SECURE_COOKIE: "false", TANDEM_TRUST_PROXY: "1" };

/** A Tandem with accounts and a provider of its own (the provider registers Tandem's callback). */
async function startPair(env: Record<string, string>): Promise<{ server: TandemServer; idp: OidcProvider }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idp = await startOidcProvider(url);
  const server = await startServer({ port, env: { ...ACCOUNTS, ...idp.env, TANDEM_PUBLIC_URL: url, ...env } });
  return { server, idp };
}

function rows<T>(server: TandemServer, query: string, ...args: unknown[]): T[] {
  const db = new Database(server.databaseUrl.replace(/^file:/, ""), { readonly: true });
  try {
    return db.prepare(query).all(...args) as T[];
  } finally {
    db.close();
  }
}

async function signedIn(server: TandemServer, login: string): Promise<Person> {
  const outcome = await signInWithSso(server, login);
  assert.ok(outcome.ok, `SSO sign-in of ${login} ended at ${outcome.location}\n${server.output()}`);
  assert.equal(new URL(outcome.location).pathname, "/");
  return outcome.person;
}

async function whoIs(person: Person) {
  const res = await person.fetch("/api/auth/get-session");
  return ((await res.json()) as { user: { id: string; email: string; name: string; role: string } }).user;
}

describe("single sign-on, open sign-up", () => {
  let server: TandemServer;
  let idp: OidcProvider;
  before(async () => {
    ({ server, idp } = await startPair({ TANDEM_SIGNUP: "open" }));
    await signUp(server, "root"); // the first account (admin), so SSO users are plain users
  });
  after(async () => {
    await server?.stop();
    await idp?.stop();
  });

  test("the sign-in page offers it", async () => {
    const page = await (await fetch(`${server.url}/sign-in`)).text();
    assert.match(page, /data-testid="auth-sso"/);
  });

  test("a new person becomes a user, whose cookie works on the API; signing in again is the same user", async () => {
    const carol = await signedIn(server, "carol");
    const user = await whoIs(carol);
    assert.equal(user.email, "carol@idp.test");
    assert.equal(user.name, "SSO carol");
    assert.equal(user.role, "user");
    const linked = rows<{ account_id: string }>(
      server,
      "SELECT account_id FROM auth_account WHERE provider_id = 'oidc' AND user_id = ?",
      user.id,
    );
    assert.deepEqual(
      linked.map((r) => r.account_id),
      ["carol"],
    );

    const created = await carol.fetch("/api/sessions/", { method: "POST", body: JSON.stringify({ title: "sso" }) });
    assert.equal(created.status, 201);
    const session = (await created.json()) as { session_id: string; user_id: string };
    assert.equal(session.user_id, user.id);

    const again = await signedIn(server, "carol");
    assert.notEqual(again.cookie, carol.cookie, "a new session");
    assert.equal((await whoIs(again)).id, user.id);
    const list = await again.fetch("/api/sessions/");
    assert.equal(list.status, 200);
    assert.deepEqual(
      ((await list.json()) as Array<{ session_id: string }>).map((s) => s.session_id),
      [session.session_id],
    );
    assert.equal(
      rows(server, "SELECT id FROM auth_account WHERE provider_id = 'oidc' AND account_id = 'carol'").length,
      1,
      "one link, reused",
    );
  });

  test("a password account with the same email is not taken over: refused, not linked", async () => {
    const frank = await signUp(server, "frank", { email: "frank@idp.test" });
    const outcome = await signInWithSso(server, "frank");
    assert.equal(outcome.ok, false);
    const back = new URL(outcome.location);
    assert.equal(back.pathname, "/sign-in");
    assert.equal(back.searchParams.get("error"), "account_not_linked");
    assert.deepEqual(
      rows(server, "SELECT id FROM auth_account WHERE user_id = ? AND provider_id = 'oidc'", frank.id),
      [],
    );
    assert.match(await (await fetch(back)).text(), /sign in with its password/);
  });

  test("two SSO people are two users who cannot see each other's chats", async () => {
    const carol = await signedIn(server, "carol");
    const dan = await signedIn(server, "dan");
    assert.notEqual((await whoIs(dan)).id, (await whoIs(carol)).id);
    const [mine] = (await (await carol.fetch("/api/sessions/")).json()) as Array<{ session_id: string }>;
    assert.equal((await dan.fetch(`/api/sessions/${mine.session_id}/`)).status, 404);
    assert.deepEqual(await (await dan.fetch("/api/sessions/")).json(), []);
  });
});

describe("single sign-on under TANDEM_SIGNUP=admin", () => {
  let server: TandemServer;
  let idp: OidcProvider;
  before(async () => {
    ({ server, idp } = await startPair({ TANDEM_SIGNUP: "admin" }));
  });
  after(async () => {
    await server?.stop();
    await idp?.stop();
  });

  test("the first person may come by SSO, and is the admin", async () => {
    const erin = await signedIn(server, "erin");
    assert.equal((await whoIs(erin)).role, "admin");
  });

  test("a stranger is refused: back to the sign-in page with the reason, no user made", async () => {
    const outcome = await signInWithSso(server, "mallory");
    assert.equal(outcome.ok, false);
    const back = new URL(outcome.location);
    assert.equal(back.pathname, "/sign-in");
    assert.equal(back.searchParams.get("error"), "SIGN_UP_REFUSED");
    assert.deepEqual(rows(server, "SELECT id FROM auth_user WHERE email = 'mallory@idp.test'"), []);
    const page = await (await fetch(back)).text();
    assert.match(page, /no account here for that sign-in/);
  });
});

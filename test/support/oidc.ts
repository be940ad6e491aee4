/**
 * A real OpenID Connect provider for tests (the `oidc-provider` package, certified by the
 * OpenID Foundation) on a free port, and a person signing in through it the way a browser
 * would: following redirects by hand, keeping cookies, and submitting the provider's own login
 * and consent pages (its development interactions: any login name is accepted as the subject).
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import Provider from "oidc-provider";
import { asPerson, authPost, type Person } from "./accounts";
import { freePort, type TandemServer } from "./server";

export const OIDC_CLIENT_ID = "tandem";
export const OIDC_CLIENT_SECRET = "a client secret long enough for HS256 signing";

export interface OidcProvider {
  issuer: string;
  /** TANDEM_OIDC_* for a Tandem server to use this provider. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Every subject's claims: `<login>@idp.test`, verified, named after the login. */
const claimsOf = (sub: string) => ({ sub, email: `${sub}@idp.test`, email_verified: true, name: `SSO ${sub}` });

/** Starts a provider whose one client is a Tandem at `tandemUrl` (its callback registered). */
export async function startOidcProvider(tandemUrl: string): Promise<OidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [`${tandemUrl}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        // The OIDC default, which every provider must support.
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => claimsOf(sub) }),
    cookies: { keys: ["oidc test cookie key"] },
    features: { devInteractions: { enabled: true } },
  });
  const server: Server = createServer(provider.callback());
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return {
    issuer,
    env: {
      TANDEM_OIDC_ISSUER: issuer,
      TANDEM_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
      TANDEM_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A browser's cookie jar for one host: cookies are not isolated by port, so Tandem's and the
 * provider's (both on 127.0.0.1) share it, as they would in a browser.
 */
class CookieJar {
  private cookies = new Map<string, string>();
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  /** The cookies Tandem set (Better Auth's), for a Person. */
  tandem(): string {
    return [...this.cookies]
      .filter(([k]) => k.includes("better-auth"))
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
  }
}

/** The one form of a provider page: where it posts and its hidden fields. */
function formOf(html: string, base: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the provider's page:\n${html.slice(0, 2000)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]] = m[2];
  return { action: new URL(action.replaceAll("&amp;", "&"), base).href, fields };
}

export type SsoOutcome =
  | { ok: true; person: Person; location: string }
  | { ok: false; location: string; status: number };

/**
 * Signs in to Tandem with single sign-on as `login`: Tandem's sign-in endpoint, the provider's
 * login and consent pages, back to Tandem's callback. Ends where Tandem sends the browser; ok
 * when that left a session cookie that Better Auth accepts.
 */
export async function signInWithSso(server: TandemServer, login: string, callbackURL = "/"): Promise<SsoOutcome> {
  const jar = new CookieJar();
  const start = await authPost(server, "sign-in/social", { provider: "oidc", callbackURL });
  if (!start.ok) throw new Error(`sign-in/social: ${start.status} ${await start.text()}`);
  jar.take(start);
  let url = ((await start.json()) as { url: string }).url;
  let init: RequestInit = {};
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, { ...init, redirect: "manual", headers: { cookie: jar.header(), ...init.headers } });
    jar.take(res);
    init = {};
    const location = res.headers.get("location");
    if (location) {
      const next = new URL(location, url);
      // Back on Tandem past its callback: the sign-in has ended, one way or the other.
      if (next.origin === server.url && !next.pathname.startsWith("/api/auth/callback/")) {
        const cookie = jar.tandem();
        const session = cookie
          ? ((await (await fetch(`${server.url}/api/auth/get-session`, { headers: { cookie } })).json()) as {
              user: { id: string };
            } | null)
          : null;
        return session
          ? { ok: true, person: asPerson(server, login, session.user.id, cookie), location: next.href }
          : { ok: false, location: next.href, status: res.status };
      }
      url = next.href;
      continue;
    }
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    // A provider page: the login form (any login, any password) or the consent form.
    const form = formOf(await res.text(), url);
    const body = new URLSearchParams(form.fields);
    if (form.fields.prompt === "login") {
      body.set("login", login);
      body.set("password", "any password");
    }
    url = form.action;
    init = {
      method: "POST",
      body: body.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    };
  }
  throw new Error("single sign-on did not end within 20 redirects");
}

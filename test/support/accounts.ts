/**
 * Accounts in tests: signing up and in through Better Auth's endpoints as a browser on the
 * app's own origin would, keeping the session cookie, and fetching or opening WebSockets as
 * that person.
 */
import WebSocket from "ws";
import type { TandemServer } from "./server";

export interface Person {
  username: string;
  id: string;
  cookie: string;
  /** fetch on the server as this person (same-origin, cookie attached). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

function cookieOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .filter((c) => !c.endsWith("="))
    .join("; ");
}

export function asPerson(server: TandemServer, username: string, id: string, cookie: string): Person {
  return {
    username,
    id,
    cookie,
    fetch: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: { cookie, "content-type": "application/json", ...(init.headers as Record<string, string>) },
      }),
  };
}

let clients = 0;

/**
 * Better Auth limits sign-ups and sign-ins per client address; each call here comes from its own
 * (fictional) address, which counts only on a server started with TANDEM_TRUST_PROXY=1.
 */
export async function authPost(server: TandemServer, path: string, body: object): Promise<Response> {
  clients += 1;
  return fetch(`${server.url}/api/auth/${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: server.url,
      "x-forwarded-for": `10.9.${Math.floor(clients / 250) % 250}.${clients % 250}`,
    },
    body: JSON.stringify(body),
  });
}

/** Signs a new person up (password "a long passphrase"); throws with the answer when refused. */
export async function signUp(server: TandemServer, username: string, extra: object = {}): Promise<Person> {
  const res = await authPost(server, "sign-up/email", {
    name: username,
    username,
    email: `${username}@example.test`,
    password: "a long passphrase",
    ...extra,
  });
  if (!res.ok) throw new Error(`sign-up of ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string } };
  return asPerson(server, username, body.user.id, cookieOf(res));
}

export async function signIn(server: TandemServer, username: string, password = "a long passphrase") {
  const res = await authPost(server, "sign-in/username", { username, password });
  if (!res.ok) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string } };
  return asPerson(server, username, body.user.id, cookieOf(res));
}

/** Opens the chat WebSocket with these headers; resolves to the HTTP status of a refusal, or 101. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once("error", (e) => {
      if (!/Unexpected server response/.test(String(e))) reject(e);
    });
  });
}

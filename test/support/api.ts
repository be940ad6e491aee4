/** A small JSON client for a test server. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export function apiClient(baseUrl: string) {
  return async function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      redirect: "manual",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

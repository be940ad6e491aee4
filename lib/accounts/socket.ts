/**
 * The chat WebSocket's upgrade with accounts: the same principal as the API (a session cookie
 * from the app's own origin, or a key as Bearer or `?token=`) and the same ownership rule, so
 * another user's session cannot be subscribed to (404, like the API).
 */
import type { IncomingMessage } from "node:http";
import { UNAUTHENTICATED } from "@/lib/api/auth";
import type { Refusal } from "@/lib/api/edge";
import { isTandemError } from "@/lib/errors";
import { requireSessionAccess } from "./access";
import { resolvePrincipal } from "./principal";

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

export async function socketRefusal(
  req: IncomingMessage,
  sessionId: string,
  token: string | null,
): Promise<Refusal | null> {
  const principal = await resolvePrincipal({ headers: headersOf(req), queryToken: token });
  if (!principal) return { status: "401 Unauthorized", detail: UNAUTHENTICATED };
  try {
    await requireSessionAccess(principal, sessionId);
    return null;
  } catch (e) {
    if (isTandemError(e) && e.kind === "not_found") return { status: "404 Not Found", detail: "Not found." };
    throw e;
  }
}

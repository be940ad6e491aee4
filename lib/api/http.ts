/**
 * Route-handler plumbing: every handler is wrapped so a client mistake becomes the contract's
 * JSON 4xx, an unexpected failure a JSON 500 without internals, and an unknown method a JSON 405.
 */
import type { z } from "zod";
import { requireSessionAccess } from "@/lib/accounts/access";
import { checkSendLimits } from "@/lib/accounts/limits";
import { ANONYMOUS, type Principal, resolvePrincipal } from "@/lib/accounts/principal";
import { parse } from "@/lib/contract/validation";
import { isTandemError, TandemError } from "@/lib/errors";
import { log } from "@/lib/log";
import { UNAUTHENTICATED, WWW_AUTHENTICATE } from "./auth";

export const MAX_BODY_BYTES = 1024 * 1024;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

export interface RouteContext<P> {
  params: Promise<P>;
}
/** What a handler gets: the path's parameters and who is asking (lib/accounts). */
export interface HandlerContext<P> extends RouteContext<P> {
  principal: Principal;
}
type Handler<P> = (req: Request, ctx: HandlerContext<P>) => Promise<Response> | Response;

export interface RouteOptions<P> {
  /** Answered to anyone, even with accounts: probes, the API's index and its document. */
  open?: boolean;
  /** The session a request concerns when the path does not name it as `sessionId`. */
  session?: (params: P) => Promise<string | null>;
  /** The request stores a person's message: per-user limits apply (lib/accounts/limits.ts). */
  sends?: boolean;
}

/**
 * Who is asking, and whether they may: with accounts, no credentials is a 401; a session that
 * is not theirs a 404 (lib/accounts/access.ts), whatever the handler does next.
 */
async function authorize<P>(req: Request, ctx: RouteContext<P>, options: RouteOptions<P>): Promise<Principal> {
  if (options.open) return ANONYMOUS;
  const principal = await resolvePrincipal({ headers: req.headers });
  if (!principal) {
    throw new TandemError("unauthorized", UNAUTHENTICATED, { headers: { "WWW-Authenticate": WWW_AUTHENTICATE } });
  }
  const params = await ctx.params;
  const sessionId = options.session
    ? await options.session(params)
    : (params as { sessionId?: string } | undefined)?.sessionId;
  if (sessionId !== undefined) await requireSessionAccess(principal, sessionId);
  if (options.sends && req.method === "POST") await checkSendLimits(principal);
  return principal;
}

/**
 * Builds a route module's exports: the given handlers plus a JSON 405 for every other method
 * and an OPTIONS answer (CORS preflights are answered before Next, in server.ts).
 */
export function route<P = Record<string, never>>(
  handlers: Partial<Record<Method, Handler<P>>>,
  options: RouteOptions<P> = {},
) {
  const allow = [...Object.keys(handlers), "OPTIONS"].join(", ");
  const wrap =
    (method: Method) =>
    async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
      const handler = handlers[method];
      try {
        if (!handler) {
          throw new TandemError("method_not_allowed", `Method "${method}" not allowed.`, {
            headers: { Allow: allow },
          });
        }
        const principal = await authorize(req, ctx, options);
        return await handler(req, { ...ctx, principal });
      } catch (error) {
        return errorResponse(error, req);
      }
    };
  const preflight = () => new Response(null, { status: 204, headers: { Allow: allow } });
  return {
    GET: wrap("GET"),
    POST: wrap("POST"),
    PUT: wrap("PUT"),
    PATCH: wrap("PATCH"),
    DELETE: wrap("DELETE"),
    OPTIONS: preflight,
  };
}

export function errorResponse(error: unknown, req?: Request): Response {
  if (isTandemError(error)) return error.toResponse();
  // The details go to the log (with the request id the client got), never into the answer.
  log.error(
    { err: error, reqId: req?.headers.get("x-request-id") ?? undefined, method: req?.method, url: req?.url },
    "request failed",
  );
  return Response.json({ detail: "Internal server error." }, { status: 500 });
}

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

const tooLarge = (limit: number) =>
  new TandemError("payload_too_large", `Request body is too large (the limit is ${limit} bytes).`);

/** Reads the body as text, refusing more than `limit` bytes (1 MiB) before buffering it all. */
async function readText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const kindOf = (v: unknown) =>
  Array.isArray(v) ? "list" : v === null ? "null" : typeof v === "string" ? "str" : typeof v;

/** The JSON value in the body (any kind; an empty body is `{}`), at most `limit` bytes. */
export async function readJson(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readText(req, limit);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    const reason = e instanceof SyntaxError ? e.message : "invalid JSON";
    throw new TandemError("bad_request", `JSON parse error - ${reason}`);
  }
}

/** The JSON object in the body; an empty body is `{}`. */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const value = await readJson(req);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TandemError("bad_request", `Invalid data. Expected a dictionary, but got ${kindOf(value)}.`);
  }
  return value as Record<string, unknown>;
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parse(schema, Object.fromEntries(new URL(req.url).searchParams));
}

/**
 * A page of a list. The array stays the body (compat); `X-Total-Count` says how many items match,
 * and while more remain an RFC 8288 `Link: <…>; rel="next"` gives the next page: the request's
 * own path and query (as a path-absolute reference, right behind any proxy) with `next` set.
 */
export function pageResponse(
  req: Request,
  items: unknown[],
  total: number,
  next: Record<string, number> | null,
): Response {
  const headers: Record<string, string> = { "X-Total-Count": String(total) };
  if (next) {
    const url = new URL(req.url);
    for (const [name, value] of Object.entries(next)) url.searchParams.set(name, String(value));
    headers.Link = `<${url.pathname}${url.search}>; rel="next"`;
  }
  return Response.json(items, { headers });
}

/** A page of a list paged by `limit` and `offset`. */
export function listResponse(
  req: Request,
  items: unknown[],
  total: number,
  page: { limit: number; offset: number },
): Response {
  const end = page.offset + items.length;
  return pageResponse(req, items, total, items.length > 0 && end < total ? { limit: page.limit, offset: end } : null);
}

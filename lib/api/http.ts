/**
 * Route-handler plumbing: every handler is wrapped so a client mistake becomes the contract's
 * JSON 4xx, an unexpected failure a JSON 500 without internals, and an unknown method a JSON 405.
 */
import type { z } from "zod";
import { parse } from "@/lib/contract/validation";
import { isTandemError, TandemError } from "@/lib/errors";
import { log } from "@/lib/log";

export const MAX_BODY_BYTES = 1024 * 1024;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

export interface RouteContext<P> {
  params: Promise<P>;
}
type Handler<P> = (req: Request, ctx: RouteContext<P>) => Promise<Response> | Response;

/**
 * Builds a route module's exports: the given handlers plus a JSON 405 for every other method
 * and an OPTIONS answer (CORS preflights are answered before Next, in server.ts).
 */
export function route<P = Record<string, never>>(handlers: Partial<Record<Method, Handler<P>>>) {
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
        return await handler(req, ctx);
      } catch (error) {
        return errorResponse(error, req);
      }
    };
  const options = () => new Response(null, { status: 204, headers: { Allow: allow } });
  return {
    GET: wrap("GET"),
    POST: wrap("POST"),
    PUT: wrap("PUT"),
    PATCH: wrap("PATCH"),
    DELETE: wrap("DELETE"),
    OPTIONS: options,
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

/**
 * A local OpenAI Chat Completions stub (node:http) for integration tests.
 *
 * Speaks enough of `POST /v1/chat/completions` (streaming SSE and plain JSON)
 * for `createOpenAI({ baseURL, apiKey }).chat(modelId)` from `@ai-sdk/openai`.
 * Never use the provider's default (Responses API, `/v1/responses`): the stub
 * answers 404 there, like most OpenAI-compatible servers.
 *
 * Behaviors form a queue consumed per chat-completions request:
 * - `status` with `times: n` answers n requests with that status, then is
 *   removed; without `times` it answers forever.
 * - every other kind (`reply`, `garbage`, `hang`, `drop-mid-stream`) is sticky
 *   while it is the last behavior in the queue, and is consumed once when more
 *   behaviors follow it.
 * - an empty queue replies with `stub: <last user text>`.
 * Requests to other paths get a 404 and do not consume behaviors (they are
 * still recorded in `requests`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface StubReply {
  text?: string;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export type StubBehavior =
  | { kind: "reply"; reply: StubReply | ((req: StubRequest) => StubReply); chunkDelayMs?: number; chunks?: number }
  | { kind: "status"; status: number; times?: number; body?: unknown; retryAfter?: string } // fail `times` times (default forever) then fall through to the next behavior
  | { kind: "garbage" } // 200 SSE with a line that is not valid JSON, then close
  | { kind: "hang" } // accept the request and never answer (until the client aborts)
  | { kind: "drop-mid-stream"; afterChunks: number; text: string }; // stream some content then destroy the socket

export interface StubRequest {
  body: any;
  headers: Record<string, string | string[] | undefined>;
  path: string;
}

/** The models `GET /v1/models` lists. */
export const STUB_MODELS = ["stub-large", "stub-small"] as const;

export interface OpenAIStub {
  /** e.g. http://127.0.0.1:PORT/v1 */
  baseURL: string;
  /** Every request received (any path), in order of arrival of its complete body. */
  requests: StubRequest[];
  /** Replace the behavior queue (resets `times` counters). */
  setBehaviors(b: StubBehavior[]): void;
  /** Stop listening and destroy every open socket (including hanging requests). */
  close(): Promise<void>;
}

/** Text of the last `user` message in a chat-completions body ("" if none). */
export function lastUserText(body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") return contentText(messages[i].content);
  }
  return "";
}

/** The `tool` role messages of a chat-completions body (tool results sent back by the client). */
export function toolMessages(body: any): Array<{ role: "tool"; tool_call_id: string; content: string }> {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return messages.filter((m) => m?.role === "tool");
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p: any) => (p && p.type === "text" && typeof p.text === "string" ? p.text : "")).join("");
  }
  return "";
}

/** Rough token estimate used when a reply does not specify `usage`. */
function estimateTokens(s: string): number {
  return Math.max(1, Math.ceil(s.length / 4));
}

/** Split `s` into at most `n` contiguous non-empty pieces (none for an empty string). */
function splitInto(s: string, n: number): string[] {
  if (s.length === 0) return [];
  const count = Math.max(1, Math.min(Math.floor(n) || 1, s.length));
  const size = Math.ceil(s.length / count);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function errorCode(status: number): string {
  if (status === 429) return "rate_limit_exceeded";
  if (status >= 500) return "server_error";
  return `http_${status}`;
}

function errorBody(status: number, message?: string) {
  return { error: { message: message ?? `stub: HTTP ${status}`, type: errorType(status), code: errorCode(status) } };
}

interface QueueEntry {
  behavior: StubBehavior;
  /** remaining answers for `status` behaviors with `times`; undefined = forever */
  remaining?: number;
}

export async function startOpenAIStub(behaviors: StubBehavior[] = []): Promise<OpenAIStub> {
  const requests: StubRequest[] = [];
  let queue: QueueEntry[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let toolCallCounter = 0;
  let completionCounter = 0;
  let closed = false;

  const setBehaviors = (b: StubBehavior[]) => {
    queue = b.map((behavior) => ({
      behavior,
      remaining: behavior.kind === "status" && behavior.times !== undefined ? behavior.times : undefined,
    }));
  };
  setBehaviors(behaviors);

  /** Take the behavior for the next chat-completions request (undefined = default echo). */
  const next = (): StubBehavior | undefined => {
    while (queue.length > 0) {
      const head = queue[0];
      if (head.behavior.kind === "status") {
        if (head.remaining === undefined) return head.behavior;
        if (head.remaining <= 0) {
          queue.shift();
          continue;
        }
        head.remaining--;
        if (head.remaining <= 0) queue.shift();
        return head.behavior;
      }
      if (queue.length > 1) queue.shift();
      return head.behavior;
    }
    return undefined;
  };

  const sleep = (ms: number, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || res.destroyed) return resolve();
      const finish = () => {
        clearTimeout(t);
        timers.delete(t);
        res.off("close", finish);
        resolve();
      };
      const t = setTimeout(finish, ms);
      timers.add(t);
      // resolve early when the client goes away so the writer loop can stop
      res.on("close", finish);
    });

  /** Write and wait until the data is handed to the socket (so a following destroy does not drop it). */
  const write = (res: ServerResponse, data: string) =>
    new Promise<void>((resolve) => {
      if (res.destroyed || res.writableEnded) return resolve();
      res.write(data, () => resolve());
    });

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.headersSent) return;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text).toString(),
      ...headers,
    });
    res.end(text);
  };

  const buildReply = (behavior: Extract<StubBehavior, { kind: "reply" }> | undefined, req: StubRequest): StubReply => {
    if (!behavior) return { text: `stub: ${lastUserText(req.body)}` };
    return typeof behavior.reply === "function" ? behavior.reply(req) : behavior.reply;
  };

  const usageOf = (reply: StubReply, req: StubRequest, outText: string) => {
    const prompt_tokens = reply.usage?.prompt_tokens ?? estimateTokens(JSON.stringify(req.body?.messages ?? ""));
    const completion_tokens = reply.usage?.completion_tokens ?? estimateTokens(outText);
    return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
  };

  const handleReply = async (
    behavior: Extract<StubBehavior, { kind: "reply" }> | undefined,
    stubReq: StubRequest,
    res: ServerResponse,
  ) => {
    let reply: StubReply;
    try {
      reply = buildReply(behavior, stubReq);
    } catch (err) {
      sendJson(res, 500, errorBody(500, `stub: reply function threw: ${(err as Error)?.message ?? String(err)}`));
      return;
    }
    const body = stubReq.body ?? {};
    const model = typeof body.model === "string" ? body.model : "stub-model";
    const id = `chatcmpl-stub-${++completionCounter}`;
    const created = Math.floor(Date.now() / 1000);
    const text = reply.text ?? "";
    const toolCalls = (reply.toolCalls ?? []).map((tc) => ({
      id: `call_${++toolCallCounter}`,
      name: tc.name,
      args: JSON.stringify(tc.arguments ?? {}),
    }));
    const finish_reason = toolCalls.length > 0 ? "tool_calls" : "stop";
    const usage = usageOf(reply, stubReq, text + toolCalls.map((t) => t.name + t.args).join(""));

    if (body.stream !== true) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: text.length > 0 || toolCalls.length === 0 ? text : null,
              ...(toolCalls.length > 0
                ? {
                    tool_calls: toolCalls.map((t) => ({
                      id: t.id,
                      type: "function",
                      function: { name: t.name, arguments: t.args },
                    })),
                  }
                : {}),
            },
            finish_reason,
          },
        ],
        usage,
      });
      return;
    }

    const chunks = behavior?.chunks ?? 4;
    const delay = behavior?.chunkDelayMs ?? 0;
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish }],
      })}\n\n`;

    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    // Like api.openai.com: `content: ""` on the role chunk when text follows, `content: null` for a
    // tool-call-only reply (an empty string would make @ai-sdk/openai emit an empty text part).
    const frames: string[] = [
      chunk({ role: "assistant", content: text.length > 0 || toolCalls.length === 0 ? "" : null }),
    ];
    for (const piece of splitInto(text, chunks)) frames.push(chunk({ content: piece }));
    toolCalls.forEach((t, index) => {
      frames.push(
        chunk({ tool_calls: [{ index, id: t.id, type: "function", function: { name: t.name, arguments: "" } }] }),
      );
      for (const piece of splitInto(t.args, Math.max(2, Math.min(chunks, 8)))) {
        frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
    frames.push(chunk({}, finish_reason));
    if (body.stream_options?.include_usage) {
      frames.push(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`,
      );
    }
    frames.push("data: [DONE]\n\n");

    for (let i = 0; i < frames.length; i++) {
      if (res.destroyed) return;
      // delay between content-bearing frames (not before the role chunk, not before the tail)
      if (i > 1 && i < frames.length - 1) await sleep(delay, res);
      if (res.destroyed) return;
      await write(res, frames[i]);
    }
    if (!res.destroyed) res.end();
  };

  const handleDrop = async (
    behavior: Extract<StubBehavior, { kind: "drop-mid-stream" }>,
    stubReq: StubRequest,
    res: ServerResponse,
  ) => {
    const model = typeof stubReq.body?.model === "string" ? stubReq.body.model : "stub-model";
    const id = `chatcmpl-stub-${++completionCounter}`;
    const created = Math.floor(Date.now() / 1000);
    const after = Math.max(0, Math.floor(behavior.afterChunks));
    const pieces = splitInto(behavior.text, after + 1);
    const chunk = (delta: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    await write(res, chunk({ role: "assistant", content: "" }));
    for (const piece of pieces.slice(0, after)) await write(res, chunk({ content: piece }));
    // give the kernel a moment to push the bytes out, then kill the connection without a terminating chunk
    await sleep(20, res);
    res.socket?.destroy();
    res.destroy();
  };

  const handleChat = async (stubReq: StubRequest, res: ServerResponse) => {
    const behavior = next();
    if (!behavior || behavior.kind === "reply") return handleReply(behavior, stubReq, res);
    switch (behavior.kind) {
      case "status": {
        const headers: Record<string, string> = {};
        if (behavior.retryAfter !== undefined) headers["retry-after"] = behavior.retryAfter;
        sendJson(res, behavior.status, behavior.body ?? errorBody(behavior.status), headers);
        return;
      }
      case "garbage": {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        await write(res, "data: {this is not json\n\n");
        if (!res.destroyed) res.end();
        return;
      }
      case "hang":
        // never answer; the socket is destroyed when the client aborts or on close()
        return;
      case "drop-mid-stream":
        return handleDrop(behavior, stubReq, res);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    req.on("error", () => {});
    res.on("error", () => {});
    const bufs: Buffer[] = [];
    req.on("data", (b: Buffer) => bufs.push(b));
    req.on("end", () => {
      const raw = Buffer.concat(bufs).toString("utf8");
      let body: any;
      let badJson = false;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
          badJson = true;
        }
      }
      const path = new URL(req.url ?? "/", "http://stub").pathname;
      const stubReq: StubRequest = { body, headers: { ...req.headers }, path };
      requests.push(stubReq);

      // The model list, as OpenAI-compatible servers answer it.
      if (req.method === "GET" && path.replace(/\/+$/, "") === "/v1/models") {
        const data = STUB_MODELS.map((id) => ({ id, object: "model", created: 0, owned_by: "stub" }));
        sendJson(res, 200, { object: "list", data });
        return;
      }
      if (req.method !== "POST" || path.replace(/\/+$/, "") !== "/v1/chat/completions") {
        sendJson(res, 404, errorBody(404, `stub: no route for ${req.method} ${path}`));
        return;
      }
      if (badJson) {
        sendJson(res, 400, errorBody(400, "stub: request body is not valid JSON"));
        return;
      }
      handleChat(stubReq, res).catch((err) => {
        if (!res.headersSent) sendJson(res, 500, errorBody(500, `stub: ${(err as Error)?.message ?? String(err)}`));
        else res.destroy();
      });
    });
  };

  const server = createServer(onRequest);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    setBehaviors,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.closeAllConnections?.();
      await done;
    },
  };
}

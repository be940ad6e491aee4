/**
 * An agent's steps: a model call, the tools it called, then the next call with their results,
 * until the model answers without calling a tool, it called the stop tool, or the step limit is
 * reached. Built on the AI SDK's single-call stream (`streamLanguageModelCall`, which standardizes
 * the prompt, prepares the tools and parses the calls) rather than `streamText`: streamText carries
 * every chunk through about ten web-stream stages, some 200 promises a chunk, each taxed on Node 20
 * by the AsyncLocalStorage hooks Next enables, and that was most of a run's CPU (issue 14). One
 * call's stream is a single stage.
 */
import { retryWithExponentialBackoff } from "@ai-sdk/provider-utils";
import {
  APICallError,
  type JSONValue,
  type LanguageModel,
  type ModelMessage,
  RetryError,
  experimental_streamLanguageModelCall as streamLanguageModelCall,
  type ToolCallPart,
  type ToolResultPart,
  type ToolSet,
} from "ai";

export type StepPart =
  | { type: "text-delta"; text: string }
  | { type: "finish-step" }
  | { type: "finish"; usage: { inputTokens: number; outputTokens: number } };

export interface StepsOptions {
  model: LanguageModel;
  instructions: string;
  messages: ModelMessage[];
  tools?: ToolSet;
  /** Model calls at most. */
  maxSteps: number;
  /** The steps end once the model called this tool. */
  stopOn?: string;
  /** Retries of a call the provider refused with a retryable error (429, 5xx), with backoff. */
  maxRetries: number;
  signal: AbortSignal;
}

/** Streams the agent's text as it comes; throws what stopped the steps (a model or tool error). */
export async function* streamSteps(options: StepsOptions): AsyncGenerator<StepPart> {
  const { model, instructions, tools, signal } = options;
  const messages = [...options.messages];
  const usage = { inputTokens: 0, outputTokens: 0 };
  const retry = retryWithExponentialBackoff({
    maxRetries: options.maxRetries,
    abortSignal: signal,
    shouldRetry: (e) => APICallError.isInstance(e) && e.isRetryable,
    getDelayInMs: retryDelay,
    createRetryError: (failure) => new RetryError(failure),
  });
  for (let step = 1; ; step++) {
    const { stream } = await retry(() =>
      streamLanguageModelCall({ model, instructions, messages, tools, abortSignal: signal }),
    );
    let text = "";
    let reasoning = "";
    const calls: ToolCallPart[] = [];
    // Tools start as their calls arrive, as streamText runs them.
    const results: Promise<ToolResultPart>[] = [];
    for await (const part of stream) {
      switch (part.type) {
        case "text-delta":
          if (!part.text) break;
          text += part.text;
          yield { type: "text-delta", text: part.text };
          break;
        case "reasoning-delta":
          reasoning += part.text;
          break;
        case "tool-call":
          calls.push({
            type: "tool-call",
            toolCallId: part.toolCallId,
            toolName: part.toolName,
            input: part.invalid && typeof part.input !== "object" ? {} : part.input,
          });
          if (!part.invalid) {
            const result = execute(tools, part, messages, signal);
            // Observed at the step's end; handled now, so a failure while the model still streams
            // is not an unhandled rejection (which ends the process).
            result.catch(() => {});
            results.push(result);
          }
          break;
        case "tool-error":
          // A call the SDK could not parse or match to a tool: the model reads why.
          if (!part.providerExecuted)
            results.push(Promise.resolve(toolResult(part, { type: "error-text", value: String(part.error) })));
          break;
        case "model-call-end":
          usage.inputTokens += part.usage.inputTokens ?? 0;
          usage.outputTokens += part.usage.outputTokens ?? 0;
          break;
        case "error":
          throw part.error;
      }
    }
    const settled = await Promise.allSettled(results);
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    if (signal.aborted) throw signal.reason;
    yield { type: "finish-step" };
    if (!calls.length || step >= options.maxSteps || calls.some((c) => c.toolName === options.stopOn)) break;
    // The step as the model wrote it: its reasoning, its text, its calls (as streamText records a step).
    const content = [
      ...(reasoning ? [{ type: "reasoning" as const, text: reasoning }] : []),
      ...(text ? [{ type: "text" as const, text }] : []),
      ...calls,
    ];
    messages.push(
      { role: "assistant", content },
      { role: "tool", content: settled.map((r) => (r as PromiseFulfilledResult<ToolResultPart>).value) },
    );
  }
  yield { type: "finish", usage };
}

async function execute(
  tools: ToolSet | undefined,
  call: { toolCallId: string; toolName: string; input: unknown },
  messages: ModelMessage[],
  signal: AbortSignal,
): Promise<ToolResultPart> {
  const run = tools?.[call.toolName]?.execute;
  if (!run) return toolResult(call, { type: "error-text", value: `${call.toolName} cannot be run here.` });
  const output = (await run(call.input, {
    toolCallId: call.toolCallId,
    messages,
    abortSignal: signal,
    context: undefined,
  })) as unknown;
  return toolResult(
    call,
    typeof output === "string"
      ? { type: "text", value: output }
      : { type: "json", value: (output ?? null) as JSONValue },
  );
}

const toolResult = (
  call: { toolCallId: string; toolName: string },
  output: ToolResultPart["output"],
): ToolResultPart => ({
  type: "tool-result",
  toolCallId: call.toolCallId,
  toolName: call.toolName,
  output,
});

/** The provider's `retry-after-ms` / `retry-after` when it gives a short one, else the backoff. */
function retryDelay({ error, exponentialBackoffDelay }: { error: unknown; exponentialBackoffDelay: number }): number {
  const headers = APICallError.isInstance(error) ? error.responseHeaders : undefined;
  const after = headers?.["retry-after-ms"]
    ? Number.parseFloat(headers["retry-after-ms"])
    : headers?.["retry-after"]
      ? Number.parseFloat(headers["retry-after"]) * 1000
      : Number.NaN;
  return after >= 0 && after < 60_000 ? after : exponentialBackoffDelay;
}

/** The one shape of a tool call's readable line, shared by every tool's `summarize`. */
import { MAX_TOOL_SUMMARY_LENGTH } from "@/lib/contract/schemas";
import type { ToolOutcome } from "./types";

/** The result's share of the line: what the call found matters more than how it was asked. */
const MAX_RESULT_LENGTH = 80;

/** Whitespace collapsed to single spaces, and at most `max` characters (ending in "…" when cut). */
function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * `tool: input → result`, or `tool: input → error: message`, within {@link MAX_TOOL_SUMMARY_LENGTH}:
 * a long result is cut first to its share, then the input to what is left.
 */
export function summaryLine<O>(
  tool: string,
  input: string,
  outcome: ToolOutcome<O>,
  describeOutput: (output: O) => string,
): string {
  const result = clip(outcome.ok ? describeOutput(outcome.output) : `error: ${outcome.error}`, MAX_RESULT_LENGTH);
  const head = `${tool}: `;
  const arrow = " → ";
  const room = MAX_TOOL_SUMMARY_LENGTH - head.length - arrow.length - result.length;
  return `${head}${clip(input, room)}${arrow}${result}`;
}

/**
 * Registry of built-in tools, keyed by tool name.
 *
 * The engine wraps these into AI SDK tools (description + inputSchema + execute(input, ctx)) and
 * stores `toolParametersJsonSchema(tool)` in the Tool row's `schema` column. Tools throw plain
 * Errors with readable messages; the engine turns them into error results the model can read.
 */
import { zodSchema } from "ai";
import { z } from "zod";
import { calculatorTool } from "./calculator";
import { currentTimeTool } from "./current-time";
import { sessionSearchTool } from "./session-search";
import type { BuiltinTool } from "./types";

export type { CalculatorInput, CalculatorOutput } from "./calculator";
export {
  CALCULATOR_NAMES,
  calculatorTool,
  evaluateExpression,
  findArithmeticExpression,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING_DEPTH,
} from "./calculator";
export type { CurrentTimeInput, CurrentTimeOutput } from "./current-time";
export {
  asksForDateOrTime,
  currentTimeTool,
  describeTime,
  findTimeZone,
  isValidTimeZone,
  resolveTimeZone,
} from "./current-time";
export type { SessionSearchInput, SessionSearchOutput } from "./session-search";
export { sessionSearchTool } from "./session-search";
export type { BuiltinTool, SessionMessageHit, ToolContext, ToolOutcome } from "./types";

export const builtinTools: ReadonlyMap<string, BuiltinTool> = new Map<string, BuiltinTool>(
  [calculatorTool, currentTimeTool, sessionSearchTool].map((t) => [t.name, t as BuiltinTool]),
);

/**
 * Each built-in tool's input schema as the AI SDK takes it, wrapped once: given a plain zod
 * schema, the SDK converts it to JSON Schema again at every step of every turn.
 */
const modelSchemas = new Map([...builtinTools.values()].map((t) => [t.name, zodSchema(t.inputSchema)]));

export const modelInputSchema = (tool: BuiltinTool) => modelSchemas.get(tool.name)!;

/** Names of all built-in tools, in registry order. */
export const builtinToolNames: readonly string[] = [...builtinTools.keys()];

export function getBuiltinTool(name: string): BuiltinTool | undefined {
  return builtinTools.get(name);
}

/**
 * JSON Schema (draft 2020-12 via `z.toJSONSchema`, input side so defaulted fields are optional)
 * for a tool's parameters: what the Tool row's `schema` column stores.
 */
export function toolParametersJsonSchema(tool: BuiltinTool): Record<string, unknown> {
  const schema = z.toJSONSchema(tool.inputSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

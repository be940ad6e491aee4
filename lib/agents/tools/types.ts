import type { z } from "zod";

/** One earlier message of the session, as returned by {@link ToolContext.searchMessages}. */
export interface SessionMessageHit {
  id: number;
  role: string;
  agent: string | null;
  content: string;
  created_at: string;
}

export interface ToolContext {
  /** Search this session's earlier messages (provided by the engine; backed by the database). */
  searchMessages(query: string, limit: number): Promise<SessionMessageHit[]>;
  /** Optional clock override (tests); defaults to `new Date()`. */
  now?(): Date;
}

/** How a call ended: the tool's output, or the message of the error it threw. */
export type ToolOutcome<O> = { ok: true; output: O } | { ok: false; error: string };

export interface BuiltinTool<I = unknown, O = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<I>;
  execute(input: I, ctx: ToolContext): Promise<O>;
  /**
   * One short line a person can read, such as `calculator: 12 * (3 + 4) → 84`: the stored `tool`
   * message's content, which clients that ignore tool_input/tool_output show as it is.
   */
  summarize(input: I, outcome: ToolOutcome<O>): string;
}

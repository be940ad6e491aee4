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

export interface BuiltinTool<I = unknown, O = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<I>;
  execute(input: I, ctx: ToolContext): Promise<O>;
}

/** `session_search` built-in tool: search this session's earlier messages through the engine-provided context. */
import { z } from "zod";
import { summaryLine } from "./summary";
import type { BuiltinTool, SessionMessageHit } from "./types";

export const sessionSearchInputSchema = z.object({
  query: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe("Words or a phrase to look for in earlier messages of this conversation."),
  limit: z.number().int().min(1).max(20).default(5).describe("Maximum number of messages to return (1-20, default 5)."),
});

export type SessionSearchInput = z.input<typeof sessionSearchInputSchema>;
export interface SessionSearchOutput {
  query: string;
  results: SessionMessageHit[];
}

export const sessionSearchTool: BuiltinTool<SessionSearchInput, SessionSearchOutput> = {
  name: "session_search",
  description:
    "Search earlier messages of this conversation (from the user and from agents) for a word or phrase. " +
    "Use it when the user refers to something said before. Returns matching messages, most relevant first.",
  inputSchema: sessionSearchInputSchema,
  async execute(input, ctx) {
    const parsed = sessionSearchInputSchema.safeParse(input ?? {});
    if (!parsed.success)
      throw new Error(`Invalid session_search input: ${z.prettifyError(parsed.error).replace(/\s*\n\s*/g, "; ")}`);
    if (!ctx || typeof ctx.searchMessages !== "function")
      throw new Error("session_search is not available: no message store in this context");
    const { query, limit } = parsed.data;
    const found = await ctx.searchMessages(query, limit);
    const results = Array.isArray(found) ? found.slice(0, limit) : [];
    return { query, results };
  },
  summarize(input, outcome) {
    const query = typeof input?.query === "string" ? input.query.trim() : "";
    return summaryLine("session_search", JSON.stringify(query), outcome, ({ results }) => {
      if (results.length === 0) return "no matches";
      return results.length === 1 ? "1 match" : `${results.length} matches`;
    });
  },
};

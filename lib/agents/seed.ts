import { ensureAgents } from "../db/agents.ts";
import { ensureTools } from "../db/tools.ts";
import { DEFAULT_AGENTS } from "./defaults.ts";
import { builtinTools, toolParametersJsonSchema } from "./tools/index.ts";

/**
 * Idempotent: the default agents and a row for each built-in tool, when missing (run at every
 * start and by `npm run db:seed`).
 */
export async function seedDefaults(): Promise<void> {
  await ensureAgents(DEFAULT_AGENTS);
  await ensureTools(
    [...builtinTools.values()].map((tool) => ({
      name: tool.name,
      description: tool.description,
      schema: toolParametersJsonSchema(tool),
    })),
  );
}

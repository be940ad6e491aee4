import { ensureAgents } from "@/lib/db/agents";
import { ensureTeams } from "@/lib/db/teams";
import { ensureTools } from "@/lib/db/tools";
import { DEFAULT_AGENTS, DEFAULT_TEAMS } from "./defaults";
import { builtinTools, toolParametersJsonSchema } from "./tools/index";

/**
 * Idempotent: the default agents and a row for each built-in tool, when missing, then the
 * default teams, each once (run at every start and by `npm run db:seed`).
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
  await ensureTeams(DEFAULT_TEAMS);
}

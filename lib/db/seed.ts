import { DEFAULT_AGENTS } from "../agents/defaults.ts";
import { builtinTools, toolParametersJsonSchema } from "../agents/tools/index.ts";
import { db, retryWhenBusy } from "./client.ts";
import { isUniqueViolation } from "./orm.ts";

/** A concurrent start of another instance may create the same row first; that is fine. */
async function ignoreDuplicate(write: () => Promise<unknown>): Promise<void> {
  try {
    await retryWhenBusy(write);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
}

/**
 * Idempotent: creates the default agents and a row for each built-in tool when missing. Existing
 * rows keep admins' edits; only a built-in tool's parameter schema is refreshed, being derived
 * from code.
 */
export async function seedDatabase(): Promise<void> {
  for (const agent of DEFAULT_AGENTS) {
    await ignoreDuplicate(() =>
      db().agent.upsert({ where: { name: agent.name }, create: { ...agent, isActive: true }, update: {} }),
    );
  }
  for (const tool of builtinTools.values()) {
    const schema = toolParametersJsonSchema(tool) as object;
    await ignoreDuplicate(() =>
      db().tool.upsert({
        where: { name: tool.name },
        create: { name: tool.name, description: tool.description, schema, isActive: true },
        update: { schema },
      }),
    );
  }
}

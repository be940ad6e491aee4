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

/** Creates each agent that does not exist yet; existing rows keep admins' edits. */
export async function ensureAgents(agents: ReadonlyArray<{ name: string; role: string; description: string }>) {
  for (const agent of agents) {
    await ignoreDuplicate(() =>
      db().agent.upsert({ where: { name: agent.name }, create: { ...agent, isActive: true }, update: {} }),
    );
  }
}

/**
 * Creates each tool that does not exist yet; an existing row keeps admins' edits except its
 * parameter schema, which is derived from the code that implements it.
 */
export async function ensureTools(tools: ReadonlyArray<{ name: string; description: string; schema: object }>) {
  for (const tool of tools) {
    await ignoreDuplicate(() =>
      db().tool.upsert({
        where: { name: tool.name },
        create: { ...tool, isActive: true },
        update: { schema: tool.schema },
      }),
    );
  }
}

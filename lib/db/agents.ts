/** Agents: their rows, the admin's list and writes, and the seed's ensure. */
import type { Prisma } from "@/generated/sqlite/client";
import { TandemError } from "@/lib/errors";
import { db } from "./connection";
import { type AdminPage, containsText, ignoreDuplicate, isForeignKeyViolation, missing, uniqueName } from "./orm";

export type AgentRow = Prisma.AgentGetPayload<object>;

export function listAgents() {
  return db().agent.findMany({ orderBy: { id: "asc" } });
}

export interface AgentInput {
  name: string;
  role: string;
  description: string;
  modelHint: string;
  isActive: boolean;
}

export async function listAgentsPage({ q, active, limit, offset }: { q?: string; active?: boolean } & AdminPage) {
  const where: Prisma.AgentWhereInput = {
    ...(active === undefined ? {} : { isActive: active }),
    ...(q ? { OR: [{ name: containsText(q) }, { role: containsText(q) }, { description: containsText(q) }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db().agent.findMany({
      where,
      orderBy: { id: "asc" },
      take: limit,
      skip: offset,
      include: { _count: { select: { assignments: true } } },
    }),
    db().agent.count({ where }),
  ]);
  return { rows, total };
}

export function getAgent(id: number) {
  return db().agent.findUnique({
    where: { id },
    include: { _count: { select: { assignments: true, messages: true } } },
  });
}

export async function createAgent(input: AgentInput) {
  try {
    return await db().agent.create({ data: input });
  } catch (e) {
    throw uniqueName(e, "An agent");
  }
}

export async function updateAgent(id: number, input: AgentInput) {
  try {
    return await db().agent.update({ where: { id }, data: input });
  } catch (e) {
    throw missing(uniqueName(e, "An agent"));
  }
}

/**
 * Refuses while the agent is assigned to a session or is a member of a team; its messages and
 * run logs keep a null agent.
 */
export async function deleteAgent(id: number): Promise<boolean> {
  try {
    const { count } = await db().agent.deleteMany({ where: { id } });
    return count > 0;
  } catch (e) {
    if (isForeignKeyViolation(e)) {
      const { assignments, teamMembers } = await agentUses(id);
      const uses = [
        assignments ? `assigned to ${plural(assignments, "session")}` : "",
        teamMembers ? `a member of ${plural(teamMembers, "team")}` : "",
      ].filter(Boolean);
      const from = [assignments ? "sessions" : "", teamMembers ? "teams" : ""].filter(Boolean).join(" and ");
      throw new TandemError("conflict", `This agent is ${uses.join(" and ")}; remove it from those ${from} first.`);
    }
    throw e;
  }
}

const plural = (n: number, what: string) => (n === 1 ? `a ${what}` : `${n} ${what}s`);

/** How many sessions and teams the agent is in (what blocks deleting it). */
export async function agentUses(id: number) {
  const [assignments, teamMembers] = await Promise.all([
    db().assignment.count({ where: { agentId: id } }),
    db().teamMember.count({ where: { agentId: id } }),
  ]);
  return { assignments, teamMembers };
}

/** Names of agents by id, for labelling aggregates. */
export async function agentNames(): Promise<Map<number, string>> {
  const rows = await db().agent.findMany({ select: { id: true, name: true }, orderBy: { id: "asc" } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Creates each agent that does not exist yet; existing rows keep admins' edits. */
export async function ensureAgents(agents: ReadonlyArray<{ name: string; role: string; description: string }>) {
  for (const agent of agents) {
    await ignoreDuplicate(() =>
      db().agent.upsert({ where: { name: agent.name }, create: { ...agent, isActive: true }, update: {} }),
    );
  }
}

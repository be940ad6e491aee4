/**
 * Teams: presets of agents (ordered members with their tools and prompt overrides) that a
 * session's assignments are made from; the admin's writes; the default team; the seed's ensure.
 */
import type { Prisma } from "@/generated/sqlite/client";
import { fieldError, notFound, TandemError } from "@/lib/errors";
import { assignmentRows, type MemberIds, type NewAssignment, resolveAssignments } from "./assignments";
import { db, retryWhenBusy } from "./connection";
import { ignoreDuplicate, missing, uniqueName } from "./orm";

// Tools are sorted in code for the same reason as in assignments.ts (bind-value limits).
const teamInclude = {
  members: { orderBy: [{ order: "asc" }, { id: "asc" }], include: { agent: true, tools: true } },
} satisfies Prisma.TeamInclude;

export type TeamRow = Prisma.TeamGetPayload<{ include: typeof teamInclude }>;
export type TeamMemberRow = TeamRow["members"][number];

function sortTools<T extends TeamRow | null>(team: T): T {
  for (const m of team?.members ?? []) m.tools.sort((x, y) => x.id - y.id);
  return team;
}

/** Every team, the default first, then by name. */
export async function listTeams(): Promise<TeamRow[]> {
  const rows = await db().team.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }], include: teamInclude });
  return rows.map(sortTools);
}

export async function getTeam(id: number): Promise<TeamRow | null> {
  return sortTools(await db().team.findUnique({ where: { id }, include: teamInclude }));
}

/** A team by its id or its name (as an API client names it); null when there is none. */
export async function findTeam(ref: number | string): Promise<TeamRow | null> {
  const where = typeof ref === "number" ? { id: ref } : { name: ref };
  return sortTools(await db().team.findUnique({ where, include: teamInclude }));
}

export async function defaultTeam(): Promise<TeamRow | null> {
  return sortTools(await db().team.findFirst({ where: { isDefault: true }, include: teamInclude }));
}

/** The team's members as a session's new assignments. */
export const assignmentsOf = (team: TeamRow): NewAssignment[] =>
  team.members.map((m) => ({
    agent: m.agent.name,
    tools: m.tools.map((t) => t.name),
    promptOverride: m.promptOverride,
  }));

/** The team's process, as a session given the team records it. */
export const processOf = (team: TeamRow) => ({ process: team.process, maxRounds: team.maxRounds });

export interface TeamInput {
  name: string;
  description: string;
  process: string;
  maxRounds: number;
  isDefault: boolean;
  /** In run order. */
  members: MemberIds[];
}

type Tx = Prisma.TransactionClient;

async function checkMembers(tx: Tx, members: MemberIds[]) {
  const agentIds = members.map((m) => m.agentId);
  if (new Set(agentIds).size !== agentIds.length) throw fieldError("members", "Each agent can be a member once.");
  const agents = await tx.agent.count({ where: { id: { in: agentIds } } });
  if (agents !== agentIds.length) throw fieldError("members", "One of the chosen agents no longer exists.");
  const toolIds = [...new Set(members.flatMap((m) => m.toolIds))];
  const tools = toolIds.length ? await tx.tool.count({ where: { id: { in: toolIds } } }) : 0;
  if (tools !== toolIds.length) throw fieldError("members", "One of the chosen tools no longer exists.");
}

/** Makes `teamId` the only default team. */
async function makeDefault(tx: Tx, teamId: number) {
  await tx.team.updateMany({ where: { isDefault: true, id: { not: teamId } }, data: { isDefault: false } });
  await tx.team.update({ where: { id: teamId }, data: { isDefault: true } });
}

/** The first team becomes the default whatever the form said: new sessions need one. */
export async function createTeam(input: TeamInput): Promise<TeamRow> {
  try {
    const id = await retryWhenBusy(() =>
      db().$transaction(async (tx) => {
        await checkMembers(tx, input.members);
        const { members, isDefault, ...fields } = input;
        const team = await tx.team.create({ data: { ...fields, members: { create: assignmentRows(members) } } });
        if (isDefault || (await tx.team.count({ where: { isDefault: true } })) === 0) await makeDefault(tx, team.id);
        return team.id;
      }),
    );
    return (await getTeam(id))!;
  } catch (e) {
    throw uniqueName(e, "A team");
  }
}

/**
 * Replaces the team's fields and members. Unmarking the default is refused: another team has
 * to be marked instead, so there is always one.
 */
export async function updateTeam(id: number, input: TeamInput): Promise<TeamRow> {
  try {
    await retryWhenBusy(() =>
      db().$transaction(async (tx) => {
        const current = await tx.team.findUnique({ where: { id }, select: { isDefault: true } });
        if (!current) throw notFound();
        if (current.isDefault && !input.isDefault) {
          throw fieldError("is_default", "Mark another team as the default instead; new chats need one.");
        }
        await checkMembers(tx, input.members);
        const { members, isDefault, ...fields } = input;
        await tx.teamMember.deleteMany({ where: { teamId: id } });
        await tx.team.update({ where: { id }, data: { ...fields, members: { create: assignmentRows(members) } } });
        if (isDefault && !current.isDefault) await makeDefault(tx, id);
      }),
    );
    return (await getTeam(id))!;
  } catch (e) {
    throw missing(uniqueName(e, "A team"));
  }
}

export async function setDefaultTeam(id: number): Promise<void> {
  try {
    await retryWhenBusy(() => db().$transaction((tx) => makeDefault(tx, id)));
  } catch (e) {
    throw missing(e);
  }
}

/** Refuses the default team (mark another one first); false when unknown. */
export async function deleteTeam(id: number): Promise<boolean> {
  const team = await db().team.findUnique({ where: { id }, select: { isDefault: true } });
  if (!team) return false;
  if (team.isDefault) {
    throw new TandemError("conflict", "This is the default team; mark another team as the default first.");
  }
  const { count } = await db().team.deleteMany({ where: { id, isDefault: false } });
  return count > 0;
}

export interface SeedTeam {
  name: string;
  description: string;
  process: string;
  isDefault: boolean;
  members: readonly NewAssignment[];
  /** What an earlier release seeded it as: it moves to this definition once, if never edited. */
  seededBefore?: { process: string; description: string };
}

/**
 * Creates each seed team once: a marker setting remembers it was made, so a team the admins
 * deleted or renamed does not come back at the next start, and an existing one is never changed.
 * A seed team marked default becomes the default only while no team is.
 */
export async function ensureTeams(teams: readonly SeedTeam[]): Promise<void> {
  for (const team of teams) {
    if (team.seededBefore) await upgradeSeedTeam(team, team.seededBefore);
    await ignoreDuplicate(() =>
      db().$transaction(async (tx) => {
        await tx.appSetting.create({ data: { key: `seeded_team:${team.name}`, value: new Date().toISOString() } });
        if (await tx.team.findUnique({ where: { name: team.name }, select: { id: true } })) return;
        const members = await resolveAssignments(tx, team.members);
        const created = await tx.team.create({
          data: {
            name: team.name,
            description: team.description,
            process: team.process,
            members: { create: assignmentRows(members) },
          },
        });
        if (team.isDefault && (await tx.team.count({ where: { isDefault: true } })) === 0) {
          await makeDefault(tx, created.id);
        }
      }),
    );
  }
}

/**
 * Once (a marker setting remembers it): a seed team still exactly as an earlier release seeded it
 * (process, description, members in order) takes its new process and description. A team an
 * admin edited, renamed or deleted is left alone.
 */
async function upgradeSeedTeam(team: SeedTeam, before: { process: string; description: string }) {
  await ignoreDuplicate(() =>
    db().$transaction(async (tx) => {
      await tx.appSetting.create({ data: { key: `seeded_team_process:${team.name}`, value: team.process } });
      const row = await tx.team.findUnique({
        where: { name: team.name },
        include: { members: { orderBy: [{ order: "asc" }, { id: "asc" }], include: { agent: true } } },
      });
      if (!row || row.process !== before.process || row.description !== before.description) return;
      const members = row.members.map((m) => m.agent.name).join("\n");
      if (members !== team.members.map((m) => m.agent).join("\n")) return;
      await tx.team.update({ where: { id: row.id }, data: { process: team.process, description: team.description } });
    }),
  );
}

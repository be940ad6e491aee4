/**
 * Session changes that others must hear of: the write goes through the data module, then the
 * session's channel is told, so open chat windows (and admin edits) stay in step.
 */

import { DEFAULT_TEAM } from "@/lib/agents/defaults";
import type { Rating } from "@/lib/contract/schemas";
import { messageJson, storedRating } from "@/lib/contract/serialize";
import type { Message } from "@/lib/contract/types";
import * as assignments from "@/lib/db/assignments";
import * as messages from "@/lib/db/messages";
import * as sessions from "@/lib/db/sessions";
import * as teams from "@/lib/db/teams";
import { fieldError, notFound, TandemError } from "@/lib/errors";
import { hub, publish } from "@/lib/realtime/hub";
import { cancelRun } from "@/lib/runs/index";
import { announceUpdate } from "./announce";

interface TeamSetup {
  team: readonly assignments.NewAssignment[];
  process: sessions.SessionProcess;
}

/** A team by the id or name a client sent: its members as assignments and its process; unknown → field error. */
async function teamSetup(ref: number | string): Promise<TeamSetup> {
  const team = await teams.findTeam(ref);
  if (!team) throw fieldError("team", "No team has this name or id.");
  return { team: teams.assignmentsOf(team), process: teams.processOf(team) };
}

/** The default team's; the built-in sequential pair while no team is marked (all were deleted). */
async function defaultSetup(): Promise<TeamSetup> {
  const team = await teams.defaultTeam();
  if (!team) return { team: DEFAULT_TEAM, process: { process: "sequential", maxRounds: 1 } };
  return { team: teams.assignmentsOf(team), process: teams.processOf(team) };
}

/** Creates a session with `team`'s members and process (a name or id), else the default team's. */
export async function createSession(
  input: Omit<Parameters<typeof sessions.createSession>[0], "team" | "process"> & { team?: number | string },
) {
  const { team, ...fields } = input;
  return sessions.createSession({ ...fields, ...(team === undefined ? await defaultSetup() : await teamSetup(team)) });
}

/**
 * Changes the session's fields; with `team` (a name or id), its assignments and process become
 * that team's first (an unknown team changes nothing). One announcement either way.
 */
export async function updateSession(
  sessionId: string,
  patch: Parameters<typeof sessions.updateSessionRow>[1] & { team?: number | string },
) {
  const { team, ...fields } = patch;
  if (team !== undefined) {
    const setup = await teamSetup(team);
    const { id } = await sessions.requireSessionKey(sessionId);
    await assignments.replaceAssignmentRows(id, setup.team, setup.process);
  }
  return announceUpdate(await sessions.updateSessionRow(sessionId, fields));
}

/** Stops the session's run if one is going, then deletes it with everything it holds. */
export async function deleteSession(sessionId: string): Promise<boolean> {
  const session = await sessions.getSession(sessionId);
  if (!session) return false;
  if (session.activeRunId !== null) await cancelRun(sessionId).catch(() => undefined);
  const deleted = await sessions.deleteSessionRow(sessionId);
  if (deleted) {
    publish(sessionId, "session_deleted", { session_id: sessionId });
    hub().drop(sessionId);
  }
  return deleted;
}

/** Assignment changes alter the session's team, so open windows hear of them like a rename. */
async function changeTeam(sessionId: string, change: (sessionPk: number) => Promise<unknown>) {
  const { id } = await sessions.requireSessionKey(sessionId);
  await change(id);
  return announceUpdate(await sessions.requireSession(sessionId));
}

export const assignAgent = (sessionId: string, agentId: number, input: assignments.AssignmentInput) =>
  changeTeam(sessionId, (sessionPk) => assignments.addAssignmentRow(sessionPk, agentId, input));

export const updateAssignment = (sessionId: string, assignmentId: number, input: assignments.AssignmentInput) =>
  changeTeam(sessionId, (sessionPk) => assignments.updateAssignmentRow(sessionPk, assignmentId, input));

export const unassignAgent = (sessionId: string, assignmentId: number) =>
  changeTeam(sessionId, (sessionPk) => assignments.removeAssignmentRow(sessionPk, assignmentId));

/** A person rates an agent's turn (or takes the rating back); the session's open windows hear of it. */
export async function rateMessage(id: number, rating: Rating | null): Promise<Message> {
  const found = await messages.getMessage(id);
  if (!found) throw notFound();
  if (found.role !== "agent") throw new TandemError("bad_request", "Only an agent's message can be rated.");
  const row = await messages.setMessageRating(id, storedRating(rating));
  const message = messageJson(row);
  publish(row.session.sessionId, "message_updated", { message_id: id, message });
  return message;
}

/**
 * Session changes that others must hear of: the write goes through the data module, then the
 * session's channel is told, so open chat windows (and admin edits) stay in step.
 */

import { DEFAULT_TEAM } from "@/lib/agents/defaults";
import type { Rating } from "@/lib/contract/schemas";
import { messageJson, sessionJson, storedRating } from "@/lib/contract/serialize";
import type { Message } from "@/lib/contract/types";
import * as assignments from "@/lib/db/assignments";
import * as messages from "@/lib/db/messages";
import * as sessions from "@/lib/db/sessions";
import { notFound, TandemError } from "@/lib/errors";
import { hub, publish } from "@/lib/realtime/hub";
import { cancelRun } from "@/lib/runs/index";

/** Creates a session with the default team. */
export const createSession = (input: Omit<Parameters<typeof sessions.createSession>[0], "team">) =>
  sessions.createSession({ ...input, team: DEFAULT_TEAM });

/** Tells the session's open windows (and other admin tabs) what it looks like now. */
function announceUpdate(session: sessions.SessionRow): sessions.SessionRow {
  publish(session.sessionId, "session_updated", { session: sessionJson(session) });
  return session;
}

export async function updateSession(sessionId: string, patch: Parameters<typeof sessions.updateSessionRow>[1]) {
  return announceUpdate(await sessions.updateSessionRow(sessionId, patch));
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

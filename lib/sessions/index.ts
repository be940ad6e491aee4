/**
 * Session changes that others must hear of: the write goes through the data module, then the
 * session's channel is told, so open chat windows (and admin edits) stay in step.
 */
import * as data from "../db/index.ts";
import { sessionJson } from "../api/serialize.ts";
import { publish, hub } from "../realtime/hub.ts";
import { cancelRun } from "../agents/runs.ts";

export const createSession = data.createSession;

export async function updateSession(sessionId: string, patch: Parameters<typeof data.updateSession>[1]) {
  const session = await data.updateSession(sessionId, patch);
  publish(session.sessionId, "session_updated", { session: sessionJson(session) });
  return session;
}

/** Stops the session's run if one is going, then deletes it with everything it holds. */
export async function deleteSession(sessionId: string): Promise<boolean> {
  const session = await data.getSession(sessionId);
  if (!session) return false;
  if (session.activeRunId !== null) await cancelRun(sessionId).catch(() => undefined);
  const deleted = await data.deleteSession(sessionId);
  if (deleted) {
    publish(sessionId, "session_deleted", { session_id: sessionId });
    hub().drop(sessionId);
  }
  return deleted;
}

/** Assignment changes alter the session's team, so open windows hear of them like a rename. */
async function announce(sessionId: string) {
  const session = await data.requireSession(sessionId);
  publish(session.sessionId, "session_updated", { session: sessionJson(session) });
  return session;
}

export async function assignAgent(sessionId: string, agentId: number, input: data.AssignmentInput) {
  const session = await data.requireSession(sessionId);
  await data.addAssignment(session.id, agentId, input);
  return announce(sessionId);
}

export async function updateAssignment(sessionId: string, assignmentId: number, input: data.AssignmentInput) {
  const session = await data.requireSession(sessionId);
  await data.updateAssignment(session.id, assignmentId, input);
  return announce(sessionId);
}

export async function unassignAgent(sessionId: string, assignmentId: number) {
  const session = await data.requireSession(sessionId);
  await data.removeAssignment(session.id, assignmentId);
  return announce(sessionId);
}

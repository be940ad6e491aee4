/**
 * A session's queue as people see and change it: the runs waiting behind the running one, in
 * order, each with the message it will answer. Every change is announced as `queue_updated`
 * with the whole queue, so a window shows it as is instead of patching its copy.
 */
import { queuedRunJson } from "@/lib/contract/serialize";
import type { QueuedRun } from "@/lib/contract/types";
import { editQueuedMessage, queuedRuns, removeQueuedRuns } from "@/lib/db/runs";
import { requireSessionKey } from "@/lib/db/sessions";
import { notFound } from "@/lib/errors";
import { publish } from "@/lib/realtime/hub";

type Session = { id: number; sessionId: string };

const queueOf = async (session: Session): Promise<QueuedRun[]> => (await queuedRuns(session.id)).map(queuedRunJson);

/** Publishes the session's queue as it now is (`queue`: already read). */
export async function announceQueue(session: Session, queue?: QueuedRun[]): Promise<void> {
  publish(session.sessionId, "queue_updated", {
    session_id: session.sessionId,
    queue: queue ?? (await queueOf(session)),
  });
}

export async function listQueue(sessionId: string): Promise<QueuedRun[]> {
  return queueOf(await requireSessionKey(sessionId));
}

/** Removes a queued run and the message it brought (404 when it is not waiting). */
export async function removeFromQueue(sessionId: string, runId: number): Promise<void> {
  const session = await requireSessionKey(sessionId);
  const removed = await removeQueuedRuns(session.id, [runId]);
  if (removed.length === 0) throw notFound();
  await announceQueue(session);
}

/** Changes a queued message's text (409 once its run has started). */
export async function editQueued(sessionId: string, runId: number, content: string): Promise<QueuedRun> {
  const session = await requireSessionKey(sessionId);
  await editQueuedMessage(session.id, runId, content);
  const queue = await queueOf(session);
  await announceQueue(session, queue);
  const edited = queue.find((q) => q.run_id === runId);
  if (!edited) throw notFound();
  return edited;
}

/** Read-only share links of conversations: a random token per link, revoked by deleting it. */
import { db } from "./connection";

export function createShareLink(sessionPk: number, token: string) {
  return db().shareLink.create({ data: { sessionId: sessionPk, token } });
}

/**
 * The links of the sessions one user owns (every link for undefined), newest first; only one
 * session's when `sessionId` is given.
 */
export function listShareLinks(ownerId: string | undefined, sessionId?: string) {
  return db().shareLink.findMany({
    where: {
      session: { ...(ownerId === undefined ? {} : { ownerId }), ...(sessionId === undefined ? {} : { sessionId }) },
    },
    orderBy: { id: "desc" },
    take: 200,
    select: { id: true, token: true, createdAt: true, session: { select: { sessionId: true, title: true } } },
  });
}

/** Deletes a link if it belongs to a session the user owns (any, for undefined); false otherwise. */
export async function deleteShareLink(id: number, ownerId: string | undefined): Promise<boolean> {
  const { count } = await db().shareLink.deleteMany({
    where: { id, ...(ownerId === undefined ? {} : { session: { ownerId } }) },
  });
  return count > 0;
}

/** The session a live link points at (its external id and title), else null. */
export function findSharedSession(token: string) {
  return db().shareLink.findUnique({
    where: { token },
    select: { session: { select: { id: true, sessionId: true, title: true } } },
  });
}

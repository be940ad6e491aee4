import { writableUserId } from "@/lib/accounts/access";
import { readJsonObject, route } from "@/lib/api/http";
import { SessionUpdateSchema } from "@/lib/contract/schemas";
import { sessionJson } from "@/lib/contract/serialize";
import { parse } from "@/lib/contract/validation";
import { requireSession } from "@/lib/db/sessions";
import { fieldError, notFound } from "@/lib/errors";
import { deleteSession, updateSession } from "@/lib/sessions";

type Params = { sessionId: string };

async function update(req: Request, { params }: { params: Promise<Params> }) {
  const { sessionId } = await params;
  const body = parse(SessionUpdateSchema, await readJsonObject(req));
  if (body.session_id !== undefined && body.session_id !== sessionId) {
    throw fieldError("session_id", "The session id cannot be changed.");
  }
  const session = await updateSession(sessionId, {
    title: body.title,
    userId: writableUserId(body.user_id),
    metadata: body.metadata,
    team: body.team,
    pinned: body.pinned,
  });
  return Response.json(sessionJson(session));
}

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<Params>({
  async GET(_req, { params }) {
    const { sessionId } = await params;
    return Response.json(sessionJson(await requireSession(sessionId)));
  },
  PUT: update,
  PATCH: update,
  async DELETE(_req, { params }) {
    const { sessionId } = await params;
    if (!(await deleteSession(sessionId))) throw notFound();
    return new Response(null, { status: 204 });
  },
});

import { listResponse, parseQuery, readJsonObject, route } from "@/lib/api/http";
import { parse } from "@/lib/contract/validation";
import { SessionCreateSchema, SessionListQuery } from "@/lib/contract/schemas";
import { sessionJson } from "@/lib/contract/serialize";
import { listSessions } from "@/lib/db";
import { createSession } from "@/lib/sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async GET(req) {
    const query = parseQuery(SessionListQuery, req);
    const { rows, total } = await listSessions({ userId: query.user_id, limit: query.limit, offset: query.offset });
    return listResponse(rows.map(sessionJson), total);
  },
  async POST(req) {
    const body = parse(SessionCreateSchema, await readJsonObject(req));
    const session = await createSession({
      sessionId: body.session_id,
      title: body.title,
      userId: body.user_id,
      metadata: body.metadata,
    });
    return Response.json(sessionJson(session), { status: 201 });
  },
});

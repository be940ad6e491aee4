import { ownership } from "@/lib/accounts/access";
import { ownerScope } from "@/lib/accounts/principal";
import { listResponse, parseQuery, readJsonObject, route } from "@/lib/api/http";
import { SessionCreateSchema, SessionListQuery } from "@/lib/contract/schemas";
import { sessionJson, sessionSummaryJson } from "@/lib/contract/serialize";
import { parse } from "@/lib/contract/validation";
import { listSessionSummaries, listSessions } from "@/lib/db/sessions";
import { createSession } from "@/lib/sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async GET(req, { principal }) {
    const query = parseQuery(SessionListQuery, req);
    const filter = {
      userId: query.user_id,
      ownerId: ownerScope(principal),
      order: query.ordering,
      limit: query.limit,
      offset: query.offset,
    };
    if (query.view === "summary") {
      const { rows, total } = await listSessionSummaries(filter);
      return listResponse(req, rows.map(sessionSummaryJson), total, query);
    }
    const { rows, total } = await listSessions(filter);
    return listResponse(req, rows.map(sessionJson), total, query);
  },
  async POST(req, { principal }) {
    const body = parse(SessionCreateSchema, await readJsonObject(req));
    const session = await createSession({
      sessionId: body.session_id,
      title: body.title,
      userId: body.user_id,
      metadata: body.metadata,
      team: body.team,
      ...ownership(principal),
    });
    return Response.json(sessionJson(session), { status: 201 });
  },
});

import { parseQuery, route } from "@/lib/api/http";
import { HistoryQuery } from "@/lib/contract/schemas";
import { messageJson } from "@/lib/contract/serialize";
import { requireSessionKey, sessionHistory } from "@/lib/db";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async GET(req, { params }) {
    const { sessionId } = await params;
    const query = parseQuery(HistoryQuery, req);
    const session = await requireSessionKey(sessionId);
    const rows = await sessionHistory(session.id, { after: query.after, limit: query.limit });
    return Response.json(rows.map(messageJson));
  },
});

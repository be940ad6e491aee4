import { pageResponse, parseQuery, route } from "@/lib/api/http";
import { HistoryQuery } from "@/lib/contract/schemas";
import { messageJson } from "@/lib/contract/serialize";
import { requireSessionKey } from "@/lib/db/sessions";
import { pathHistory } from "@/lib/db/turns";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async GET(req, { params }) {
    const { sessionId } = await params;
    const query = parseQuery(HistoryQuery, req);
    const session = await requireSessionKey(sessionId);
    const { rows, total } = await pathHistory(session.id, query);
    // Paged by key: the next page is the messages after this page's last one.
    const last = rows.at(-1);
    return pageResponse(req, rows.map(messageJson), total, last && rows.length < total ? { after: last.id } : null);
  },
});

import { listResponse, parseQuery, route } from "@/lib/api/http";
import { RunListQuery } from "@/lib/contract/schemas";
import { runLogJson } from "@/lib/contract/serialize";
import { listRuns } from "@/lib/db/runs";
import { requireSessionKey } from "@/lib/db/sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async GET(req, { params }) {
    const { sessionId } = await params;
    const query = parseQuery(RunListQuery, req);
    const session = await requireSessionKey(sessionId);
    const { rows, total } = await listRuns(session.id, query);
    return listResponse(req, rows.map(runLogJson), total, query);
  },
});

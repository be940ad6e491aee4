import { ownerScope } from "@/lib/accounts/principal";
import { listResponse, parseQuery, route } from "@/lib/api/http";
import { MessageListQuery } from "@/lib/contract/schemas";
import { messageJson } from "@/lib/contract/serialize";
import { listMessages } from "@/lib/db/messages";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async GET(req, { principal }) {
    const query = parseQuery(MessageListQuery, req);
    const { rows, total } = await listMessages({
      sessionId: query.session,
      role: query.role,
      limit: query.limit,
      offset: query.offset,
      ownerId: ownerScope(principal),
    });
    return listResponse(req, rows.map(messageJson), total, query);
  },
});

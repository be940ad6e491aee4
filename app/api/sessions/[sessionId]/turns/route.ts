import { route } from "@/lib/api/http";
import { turnJson } from "@/lib/contract/serialize";
import { requireSessionKey } from "@/lib/db/sessions";
import { sessionTurns } from "@/lib/db/turns";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async GET(_req, { params }) {
    const { sessionId } = await params;
    const session = await requireSessionKey(sessionId);
    return Response.json((await sessionTurns(session.id)).map(turnJson));
  },
});

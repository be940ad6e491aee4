import { route } from "@/lib/api/http";
import { sessionStateJson } from "@/lib/contract/serialize";
import { sessionState } from "@/lib/db/sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async GET(_req, { params }) {
    const { sessionId } = await params;
    return Response.json(sessionStateJson(await sessionState(sessionId)));
  },
});

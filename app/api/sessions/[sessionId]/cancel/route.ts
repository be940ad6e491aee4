import { route } from "@/lib/api/http";
import { cancelRun } from "@/lib/runs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async POST(_req, { params }) {
    const { sessionId } = await params;
    return Response.json(await cancelRun(sessionId));
  },
});

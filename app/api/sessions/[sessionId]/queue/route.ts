import { route } from "@/lib/api/http";
import { listQueue } from "@/lib/runs/queue";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async GET(_req, { params }) {
    const { sessionId } = await params;
    return Response.json(await listQueue(sessionId));
  },
});

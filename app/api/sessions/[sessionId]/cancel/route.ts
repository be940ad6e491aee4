import { readJsonObject, route } from "@/lib/api/http";
import { CancelSchema } from "@/lib/contract/schemas";
import { parse } from "@/lib/contract/validation";
import { cancelRun } from "@/lib/runs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async POST(req, { params }) {
    const { sessionId } = await params;
    const body = parse(CancelSchema, await readJsonObject(req));
    return Response.json(await cancelRun(sessionId, { clearQueue: body.clear_queue ?? false }));
  },
});

import { readJsonObject, route } from "@/lib/api/http";
import { SelectSchema } from "@/lib/contract/schemas";
import { parse } from "@/lib/contract/validation";
import { selectVersion } from "@/lib/runs/versions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async POST(req, { params }) {
    const { sessionId } = await params;
    const body = parse(SelectSchema, await readJsonObject(req));
    return Response.json(await selectVersion(sessionId, body.run_id));
  },
});

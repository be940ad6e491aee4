import { route } from "@/lib/api/http";
import { toolJson } from "@/lib/contract/serialize";
import { listTools } from "@/lib/db/tools";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async GET() {
    return Response.json((await listTools()).map(toolJson));
  },
});

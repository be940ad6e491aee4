import { route } from "@/lib/api/http";
import { agentJson } from "@/lib/contract/serialize";
import { listAgents } from "@/lib/db/agents";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async GET() {
    return Response.json((await listAgents()).map(agentJson));
  },
});

import { route } from "@/lib/api/http";
import { teamJson } from "@/lib/contract/serialize";
import { listTeams } from "@/lib/db/teams";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async GET() {
    return Response.json((await listTeams()).map(teamJson));
  },
});

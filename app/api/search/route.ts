import { ownerScope } from "@/lib/accounts/principal";
import { listResponse, parseQuery, route } from "@/lib/api/http";
import { SearchQuery } from "@/lib/contract/schemas";
import { searchResultJson } from "@/lib/contract/serialize";
import { searchMessages } from "@/lib/db/search";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async GET(req, { principal }) {
    const query = parseQuery(SearchQuery, req);
    const { hits, total } = await searchMessages(query.q, { ...query, ownerId: ownerScope(principal) });
    return listResponse(req, hits.map(searchResultJson), total, query);
  },
});

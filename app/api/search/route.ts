import { listResponse, parseQuery, route } from "@/lib/api/http";
import { SearchQuery } from "@/lib/contract/schemas";
import { searchResultJson } from "@/lib/contract/serialize";
import { searchMessages } from "@/lib/db/search";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async GET(req) {
    const query = parseQuery(SearchQuery, req);
    const { hits, total } = await searchMessages(query.q, query);
    return listResponse(req, hits.map(searchResultJson), total, query);
  },
});

-- Search indexes finished messages only. A streaming message's text is saved every 300 ms while
-- its agent writes (metadata.streaming is true until the run finishes it); with the index partial,
-- those saves no longer compute and insert the whole text's tsvector each time. Queries must
-- repeat the predicate (lib/db/search.ts) for the planner to use the index.
DROP INDEX "message_search_idx";
CREATE INDEX "message_search_idx" ON "message" USING GIN (to_tsvector('simple', "content"))
  WHERE ("metadata"->>'streaming') IS DISTINCT FROM 'true';

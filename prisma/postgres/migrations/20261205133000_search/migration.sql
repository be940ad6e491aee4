-- Full-text search over messages (lib/db/search.ts): a GIN index on the text's tsvector. Queries
-- must use the same expression, to_tsvector('simple', "content"), to use it. Prisma's schema
-- cannot state expression indexes; its diff leaves them alone.
CREATE INDEX "message_search_idx" ON "message" USING GIN (to_tsvector('simple', "content"));

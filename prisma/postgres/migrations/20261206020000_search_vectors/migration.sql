-- Search keeps each finished message's words in a table of their own, as SQLite's FTS5 table
-- does: ranking then reads the stored tsvector instead of parsing every matching message again
-- (a word found in most messages meant parsing most of them: about 1 s at 100,000 messages).
-- Triggers keep it in step: a finished message is indexed when it is written and when its text
-- changes; a streaming one's partial saves (metadata.streaming true) never reach it; deleting a
-- message deletes its row. The Prisma schema does not state this table (lib/db/migrate.ts and
-- prisma.config.ts list it as external).
DROP INDEX "message_search_idx";

CREATE TABLE "message_search" (
    "message_id" INTEGER NOT NULL,
    "vector" tsvector NOT NULL,
    CONSTRAINT "message_search_pkey" PRIMARY KEY ("message_id"),
    CONSTRAINT "message_search_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE CASCADE
);

CREATE FUNCTION "message_search_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW."metadata"->>'streaming') IS DISTINCT FROM 'true' THEN
    INSERT INTO "message_search" ("message_id", "vector")
    VALUES (NEW."id", to_tsvector('simple', NEW."content"))
    ON CONFLICT ("message_id") DO UPDATE SET "vector" = EXCLUDED."vector";
  ELSE
    DELETE FROM "message_search" WHERE "message_id" = NEW."id";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "message_search_insert" AFTER INSERT ON "message"
  FOR EACH ROW WHEN ((NEW."metadata"->>'streaming') IS DISTINCT FROM 'true')
  EXECUTE FUNCTION "message_search_sync"();

-- Only when a finished message's text changes, or a message finishes or streams again.
CREATE TRIGGER "message_search_update" AFTER UPDATE OF "content", "metadata" ON "message"
  FOR EACH ROW WHEN (
    ((NEW."metadata"->>'streaming') IS DISTINCT FROM 'true'
      AND (OLD."content" IS DISTINCT FROM NEW."content" OR (OLD."metadata"->>'streaming') IS NOT DISTINCT FROM 'true'))
    OR ((NEW."metadata"->>'streaming') IS NOT DISTINCT FROM 'true' AND (OLD."metadata"->>'streaming') IS DISTINCT FROM 'true')
  )
  EXECUTE FUNCTION "message_search_sync"();

INSERT INTO "message_search" ("message_id", "vector")
SELECT "id", to_tsvector('simple', "content") FROM "message"
WHERE ("metadata"->>'streaming') IS DISTINCT FROM 'true';

CREATE INDEX "message_search_idx" ON "message_search" USING GIN ("vector");

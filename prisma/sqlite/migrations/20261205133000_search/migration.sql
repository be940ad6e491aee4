-- Full-text search over messages (lib/db/search.ts): an FTS5 index whose content is the message
-- table itself, kept in step by triggers. Its tables are external to the Prisma schema (listed in
-- lib/db/migrate.ts and prisma.config.ts). A later migration that rebuilds "message" (SQLite's
-- way of altering a table) drops these triggers with it and must create them again.
CREATE VIRTUAL TABLE "message_fts" USING fts5(content, content='message', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO "message_fts"("message_fts") VALUES ('rebuild');

CREATE TRIGGER "message_fts_insert" AFTER INSERT ON "message" BEGIN
  INSERT INTO "message_fts"(rowid, content) VALUES (new.id, new.content);
END;

CREATE TRIGGER "message_fts_delete" AFTER DELETE ON "message" BEGIN
  INSERT INTO "message_fts"("message_fts", rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER "message_fts_update" AFTER UPDATE OF "content" ON "message" BEGIN
  INSERT INTO "message_fts"("message_fts", rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO "message_fts"(rowid, content) VALUES (new.id, new.content);
END;

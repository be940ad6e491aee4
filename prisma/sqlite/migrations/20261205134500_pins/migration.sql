-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_chat_session" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "session_id" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "user_id" TEXT NOT NULL DEFAULT '',
    "metadata" JSONB,
    "active_run_id" INTEGER,
    "head_run_id" INTEGER,
    "pinned_at" DATETIME,
    "last_message_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);
-- An existing chat's last message is its newest message (its creation when it has none).
INSERT INTO "new_chat_session" ("active_run_id", "created_at", "head_run_id", "id", "metadata", "session_id", "title", "updated_at", "user_id", "last_message_at") SELECT "active_run_id", "created_at", "head_run_id", "id", "metadata", "session_id", "title", "updated_at", "user_id", COALESCE((SELECT MAX("m"."created_at") FROM "message" "m" WHERE "m"."session_id" = "chat_session"."id"), "created_at") FROM "chat_session";
DROP TABLE "chat_session";
ALTER TABLE "new_chat_session" RENAME TO "chat_session";
CREATE UNIQUE INDEX "chat_session_session_id_key" ON "chat_session"("session_id");
CREATE INDEX "chat_session_created_at_idx" ON "chat_session"("created_at");
CREATE INDEX "chat_session_user_id_idx" ON "chat_session"("user_id");
CREATE INDEX "chat_session_pinned_at_last_message_at_idx" ON "chat_session"("pinned_at", "last_message_at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

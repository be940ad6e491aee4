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
    "process" TEXT NOT NULL DEFAULT 'sequential',
    "max_rounds" INTEGER NOT NULL DEFAULT 3,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);
INSERT INTO "new_chat_session" ("active_run_id", "created_at", "head_run_id", "id", "metadata", "session_id", "title", "updated_at", "user_id") SELECT "active_run_id", "created_at", "head_run_id", "id", "metadata", "session_id", "title", "updated_at", "user_id" FROM "chat_session";
DROP TABLE "chat_session";
ALTER TABLE "new_chat_session" RENAME TO "chat_session";
CREATE UNIQUE INDEX "chat_session_session_id_key" ON "chat_session"("session_id");
CREATE INDEX "chat_session_created_at_idx" ON "chat_session"("created_at");
CREATE INDEX "chat_session_user_id_idx" ON "chat_session"("user_id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- AlterTable
ALTER TABLE "chat_session" ADD COLUMN "head_run_id" INTEGER;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_message" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "session_id" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "agent_id" INTEGER,
    "content" TEXT NOT NULL DEFAULT '',
    "tool_name" TEXT NOT NULL DEFAULT '',
    "tool_input" JSONB,
    "tool_output" JSONB,
    "tokens_prompt" INTEGER,
    "tokens_completion" INTEGER,
    "latency_ms" INTEGER,
    "metadata" JSONB,
    "run_id" INTEGER,
    "rating" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "message_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "message_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "message_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run_log" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_message" ("agent_id", "content", "created_at", "id", "latency_ms", "metadata", "role", "session_id", "tokens_completion", "tokens_prompt", "tool_input", "tool_name", "tool_output", "updated_at") SELECT "agent_id", "content", "created_at", "id", "latency_ms", "metadata", "role", "session_id", "tokens_completion", "tokens_prompt", "tool_input", "tool_name", "tool_output", "updated_at" FROM "message";
DROP TABLE "message";
ALTER TABLE "new_message" RENAME TO "message";
CREATE INDEX "message_session_id_created_at_idx" ON "message"("session_id", "created_at");
CREATE INDEX "message_role_idx" ON "message"("role");
CREATE INDEX "message_agent_id_idx" ON "message"("agent_id");
CREATE INDEX "message_created_at_idx" ON "message"("created_at");
CREATE INDEX "message_role_created_at_idx" ON "message"("role", "created_at");
CREATE INDEX "message_run_id_idx" ON "message"("run_id");
CREATE TABLE "new_run_log" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "session_id" INTEGER NOT NULL,
    "agent_id" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'running',
    "details" TEXT NOT NULL DEFAULT '',
    "extra" JSONB,
    "lease_expires_at" DATETIME,
    "instance_id" TEXT NOT NULL DEFAULT '',
    "parent_run_id" INTEGER,
    "user_message_id" INTEGER,
    "kind" TEXT NOT NULL DEFAULT 'send',
    "resumes_run_id" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "run_log_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "run_log_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_run_log" ("agent_id", "created_at", "details", "extra", "id", "instance_id", "lease_expires_at", "session_id", "status", "updated_at") SELECT "agent_id", "created_at", "details", "extra", "id", "instance_id", "lease_expires_at", "session_id", "status", "updated_at" FROM "run_log";
DROP TABLE "run_log";
ALTER TABLE "new_run_log" RENAME TO "run_log";
CREATE INDEX "run_log_session_id_status_idx" ON "run_log"("session_id", "status");
CREATE INDEX "run_log_status_lease_expires_at_idx" ON "run_log"("status", "lease_expires_at");
CREATE INDEX "run_log_created_at_idx" ON "run_log"("created_at");
CREATE INDEX "run_log_agent_id_idx" ON "run_log"("agent_id");
CREATE INDEX "run_log_session_id_parent_run_id_idx" ON "run_log"("session_id", "parent_run_id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

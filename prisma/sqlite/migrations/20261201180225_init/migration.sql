-- CreateTable
CREATE TABLE "agent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "model_hint" TEXT NOT NULL DEFAULT '',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "tool" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "schema" JSONB,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "chat_session" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "session_id" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "user_id" TEXT NOT NULL DEFAULT '',
    "metadata" JSONB,
    "active_run_id" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "assignment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "session_id" INTEGER NOT NULL,
    "agent_id" INTEGER NOT NULL,
    "order" INTEGER NOT NULL DEFAULT 0,
    "prompt_override" TEXT NOT NULL DEFAULT '',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "assignment_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "assignment_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "message" (
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
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "message_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "message_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "run_log" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "session_id" INTEGER NOT NULL,
    "agent_id" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'running',
    "details" TEXT NOT NULL DEFAULT '',
    "extra" JSONB,
    "lease_expires_at" DATETIME,
    "instance_id" TEXT NOT NULL DEFAULT '',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "run_log_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "run_log_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_AssignmentToTool" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,
    CONSTRAINT "_AssignmentToTool_A_fkey" FOREIGN KEY ("A") REFERENCES "assignment" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_AssignmentToTool_B_fkey" FOREIGN KEY ("B") REFERENCES "tool" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "agent_name_key" ON "agent"("name");

-- CreateIndex
CREATE UNIQUE INDEX "tool_name_key" ON "tool"("name");

-- CreateIndex
CREATE UNIQUE INDEX "chat_session_session_id_key" ON "chat_session"("session_id");

-- CreateIndex
CREATE INDEX "chat_session_created_at_idx" ON "chat_session"("created_at");

-- CreateIndex
CREATE INDEX "chat_session_user_id_idx" ON "chat_session"("user_id");

-- CreateIndex
CREATE INDEX "assignment_agent_id_idx" ON "assignment"("agent_id");

-- CreateIndex
CREATE UNIQUE INDEX "assignment_session_id_agent_id_key" ON "assignment"("session_id", "agent_id");

-- CreateIndex
CREATE INDEX "message_session_id_created_at_idx" ON "message"("session_id", "created_at");

-- CreateIndex
CREATE INDEX "message_role_idx" ON "message"("role");

-- CreateIndex
CREATE INDEX "message_agent_id_idx" ON "message"("agent_id");

-- CreateIndex
CREATE INDEX "run_log_session_id_status_idx" ON "run_log"("session_id", "status");

-- CreateIndex
CREATE INDEX "run_log_status_lease_expires_at_idx" ON "run_log"("status", "lease_expires_at");

-- CreateIndex
CREATE INDEX "run_log_created_at_idx" ON "run_log"("created_at");

-- CreateIndex
CREATE INDEX "run_log_agent_id_idx" ON "run_log"("agent_id");

-- CreateIndex
CREATE UNIQUE INDEX "_AssignmentToTool_AB_unique" ON "_AssignmentToTool"("A", "B");

-- CreateIndex
CREATE INDEX "_AssignmentToTool_B_index" ON "_AssignmentToTool"("B");

-- CreateEnum
CREATE TYPE "MessageRole" AS ENUM ('user', 'agent', 'system', 'tool');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('running', 'success', 'error', 'cancelled');

-- CreateTable
CREATE TABLE "agent" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "model_hint" TEXT NOT NULL DEFAULT '',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tool" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "schema" JSONB,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "tool_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat_session" (
    "id" SERIAL NOT NULL,
    "session_id" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "user_id" TEXT NOT NULL DEFAULT '',
    "metadata" JSONB,
    "active_run_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "chat_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignment" (
    "id" SERIAL NOT NULL,
    "session_id" INTEGER NOT NULL,
    "agent_id" INTEGER NOT NULL,
    "order" INTEGER NOT NULL DEFAULT 0,
    "prompt_override" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message" (
    "id" SERIAL NOT NULL,
    "session_id" INTEGER NOT NULL,
    "role" "MessageRole" NOT NULL,
    "agent_id" INTEGER,
    "content" TEXT NOT NULL DEFAULT '',
    "tool_name" TEXT NOT NULL DEFAULT '',
    "tool_input" JSONB,
    "tool_output" JSONB,
    "tokens_prompt" INTEGER,
    "tokens_completion" INTEGER,
    "latency_ms" INTEGER,
    "metadata" JSONB,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_log" (
    "id" SERIAL NOT NULL,
    "session_id" INTEGER NOT NULL,
    "agent_id" INTEGER,
    "status" "RunStatus" NOT NULL DEFAULT 'running',
    "details" TEXT NOT NULL DEFAULT '',
    "extra" JSONB,
    "lease_expires_at" TIMESTAMP(3),
    "instance_id" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "run_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_AssignmentToTool" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,

    CONSTRAINT "_AssignmentToTool_AB_pkey" PRIMARY KEY ("A","B")
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
CREATE INDEX "_AssignmentToTool_B_index" ON "_AssignmentToTool"("B");

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_log" ADD CONSTRAINT "run_log_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_log" ADD CONSTRAINT "run_log_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_AssignmentToTool" ADD CONSTRAINT "_AssignmentToTool_A_fkey" FOREIGN KEY ("A") REFERENCES "assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_AssignmentToTool" ADD CONSTRAINT "_AssignmentToTool_B_fkey" FOREIGN KEY ("B") REFERENCES "tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

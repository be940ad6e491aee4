-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'queued';

-- AlterTable
ALTER TABLE "chat_session" ADD COLUMN     "head_run_id" INTEGER;

-- AlterTable
ALTER TABLE "message" ADD COLUMN     "rating" INTEGER,
ADD COLUMN     "run_id" INTEGER;

-- AlterTable
ALTER TABLE "run_log" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'send',
ADD COLUMN     "parent_run_id" INTEGER,
ADD COLUMN     "resumes_run_id" INTEGER,
ADD COLUMN     "user_message_id" INTEGER;

-- CreateIndex
CREATE INDEX "message_run_id_idx" ON "message"("run_id");

-- CreateIndex
CREATE INDEX "run_log_session_id_parent_run_id_idx" ON "run_log"("session_id", "parent_run_id");

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run_log"("id") ON DELETE SET NULL ON UPDATE CASCADE;

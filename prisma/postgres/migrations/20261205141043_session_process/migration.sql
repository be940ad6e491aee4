-- AlterTable
ALTER TABLE "chat_session" ADD COLUMN     "max_rounds" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "process" TEXT NOT NULL DEFAULT 'sequential';

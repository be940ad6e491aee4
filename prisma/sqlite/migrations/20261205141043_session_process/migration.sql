-- AlterTable (added in place: a rebuild of chat_session would have to repeat every later column)
ALTER TABLE "chat_session" ADD COLUMN "process" TEXT NOT NULL DEFAULT 'sequential';
ALTER TABLE "chat_session" ADD COLUMN "max_rounds" INTEGER NOT NULL DEFAULT 3;

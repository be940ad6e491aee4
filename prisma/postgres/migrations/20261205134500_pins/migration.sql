-- AlterTable
ALTER TABLE "chat_session" ADD COLUMN     "last_message_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "pinned_at" TIMESTAMP(3);

-- An existing chat's last message is its newest message (its creation when it has none).
UPDATE "chat_session" SET "last_message_at" = COALESCE((SELECT MAX("m"."created_at") FROM "message" "m" WHERE "m"."session_id" = "chat_session"."id"), "created_at");

-- CreateIndex
CREATE INDEX "chat_session_pinned_at_last_message_at_idx" ON "chat_session"("pinned_at", "last_message_at");

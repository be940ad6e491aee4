-- Admins become users with the admin role; their scrypt hashes stay their (credential)
-- passwords. Their admin sign-ins are ended (admin_session now points at users): sign in again.
DELETE FROM "admin_session";

-- CreateTable
CREATE TABLE "auth_user" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "email_verified" BOOLEAN NOT NULL DEFAULT false,
    "image" TEXT,
    "username" TEXT,
    "display_username" TEXT,
    "role" TEXT NOT NULL DEFAULT 'user',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "auth_session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "expires_at" DATETIME NOT NULL,
    "token" TEXT NOT NULL,
    "ip_address" TEXT,
    "user_agent" TEXT,
    "user_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "auth_session_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "auth_account" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "account_id" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "access_token" TEXT,
    "refresh_token" TEXT,
    "id_token" TEXT,
    "access_token_expires_at" DATETIME,
    "refresh_token_expires_at" DATETIME,
    "scope" TEXT,
    "password" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "auth_account_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "auth_verification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "identifier" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "user_id" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "last_used_at" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_key_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "share_link" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "token" TEXT NOT NULL,
    "session_id" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "share_link_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Hand-written: each active admin becomes a user with role "admin" (same username, same hash).
INSERT INTO "auth_user" ("id", "name", "email", "email_verified", "username", "display_username", "role", "created_at", "updated_at")
SELECT 'admin-' || "id", "username", 'admin-' || "id" || '@users.invalid', false, lower("username"), "username", 'admin', "created_at", "updated_at"
  FROM "admin_user" WHERE "is_active" = true;
INSERT INTO "auth_account" ("id", "account_id", "provider_id", "user_id", "password", "created_at", "updated_at")
SELECT 'admin-' || "id", 'admin-' || "id", 'credential', 'admin-' || "id", "password_hash", "created_at", "updated_at"
  FROM "admin_user" WHERE "is_active" = true;

-- DropIndex
DROP INDEX "admin_user_username_key";

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "admin_user";
PRAGMA foreign_keys=on;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_admin_session" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "token_hash" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "admin_session_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_admin_session" ("created_at", "expires_at", "id", "token_hash", "user_id") SELECT "created_at", "expires_at", "id", "token_hash", "user_id" FROM "admin_session";
DROP TABLE "admin_session";
ALTER TABLE "new_admin_session" RENAME TO "admin_session";
CREATE UNIQUE INDEX "admin_session_token_hash_key" ON "admin_session"("token_hash");
CREATE INDEX "admin_session_user_id_idx" ON "admin_session"("user_id");
CREATE INDEX "admin_session_expires_at_idx" ON "admin_session"("expires_at");
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
    "owner_id" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "chat_session_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_chat_session" ("active_run_id", "created_at", "head_run_id", "id", "metadata", "session_id", "title", "updated_at", "user_id", "pinned_at", "last_message_at") SELECT "active_run_id", "created_at", "head_run_id", "id", "metadata", "session_id", "title", "updated_at", "user_id", "pinned_at", "last_message_at" FROM "chat_session";
DROP TABLE "chat_session";
ALTER TABLE "new_chat_session" RENAME TO "chat_session";
CREATE UNIQUE INDEX "chat_session_session_id_key" ON "chat_session"("session_id");
CREATE INDEX "chat_session_created_at_idx" ON "chat_session"("created_at");
CREATE INDEX "chat_session_user_id_idx" ON "chat_session"("user_id");
CREATE INDEX "chat_session_owner_id_created_at_idx" ON "chat_session"("owner_id", "created_at");
CREATE INDEX "chat_session_pinned_at_last_message_at_idx" ON "chat_session"("pinned_at", "last_message_at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "auth_user_email_key" ON "auth_user"("email");

-- CreateIndex
CREATE UNIQUE INDEX "auth_user_username_key" ON "auth_user"("username");

-- CreateIndex
CREATE UNIQUE INDEX "auth_session_token_key" ON "auth_session"("token");

-- CreateIndex
CREATE INDEX "auth_session_user_id_idx" ON "auth_session"("user_id");

-- CreateIndex
CREATE INDEX "auth_account_user_id_idx" ON "auth_account"("user_id");

-- CreateIndex
CREATE INDEX "auth_verification_identifier_idx" ON "auth_verification"("identifier");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_key_hash_key" ON "api_key"("key_hash");

-- CreateIndex
CREATE INDEX "api_key_user_id_idx" ON "api_key"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "share_link_token_key" ON "share_link"("token");

-- CreateIndex
CREATE INDEX "share_link_session_id_idx" ON "share_link"("session_id");

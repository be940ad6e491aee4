import { defineConfig } from "prisma/config";

// Prisma's native schema engine cannot be downloaded offline. `prisma generate` never runs it
// but insists that it exists, so point it at any executable; migrations go through the
// WebAssembly engine in lib/db/migrate.ts instead (npm run db:migrate).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: "prisma/sqlite",
  migrations: { path: "prisma/sqlite/migrations" },
  // SQLite's full-text index of messages (FTS5; prisma/sqlite/migrations/*_search*): made by a
  // migration, unknown to the schema. The same list as lib/db/migrate.ts's EXTERNAL_TABLES.sqlite.
  experimental: { externalTables: true },
  tables: {
    external: ["message_fts", "message_fts_config", "message_fts_data", "message_fts_docsize", "message_fts_idx"],
  },
});

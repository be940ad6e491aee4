import { defineConfig } from "prisma/config";

// Prisma's native schema engine cannot be downloaded offline. `prisma generate` never runs it
// but insists that it exists, so point it at any executable; migrations go through the
// WebAssembly engine in lib/db/migrate.ts instead (npm run db:migrate).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: "prisma/sqlite",
  migrations: { path: "prisma/sqlite/migrations" },
});

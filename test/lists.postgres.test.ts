import { defineListSuite } from "./lists-suite";
import { freshPostgresUrl, requireServices } from "./support/databases";

defineListSuite("postgres", async () => {
  const db = await freshPostgresUrl("lists");
  if (!db && requireServices()) throw new Error("PostgreSQL is required (TANDEM_REQUIRE_SERVICES=1) but unreachable");
  return db;
});

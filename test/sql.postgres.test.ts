import { defineSqlSuite } from "./sql-suite";
import { freshPostgresUrl, requireServices } from "./support/databases";

defineSqlSuite("postgres", async () => {
  const db = await freshPostgresUrl("sql");
  if (!db && requireServices()) throw new Error("PostgreSQL is required (TANDEM_REQUIRE_SERVICES=1) but unreachable");
  return db;
});

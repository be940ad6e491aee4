import { defineContractSuite } from "./contract-suite";
import { freshPostgresUrl, requireServices } from "./support/databases";

defineContractSuite("postgres", async () => {
  const db = await freshPostgresUrl("contract");
  if (!db && requireServices()) throw new Error("PostgreSQL is required (TANDEM_REQUIRE_SERVICES=1) but unreachable");
  return db;
});

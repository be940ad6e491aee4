import { defineContractSuite } from "./contract-suite.ts";
import { freshSqliteUrl } from "./support/databases.ts";

defineContractSuite("sqlite", async () => ({ url: await freshSqliteUrl("contract") }));

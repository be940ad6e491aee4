import { defineContractSuite } from "./contract-suite";
import { freshSqliteUrl } from "./support/databases";

defineContractSuite("sqlite", async () => ({ url: await freshSqliteUrl("contract") }));

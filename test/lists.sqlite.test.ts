import { defineListSuite } from "./lists-suite";
import { freshSqliteUrl } from "./support/databases";

defineListSuite("sqlite", async () => ({ url: await freshSqliteUrl("lists") }));

import { defineListSuite } from "./lists-suite.ts";
import { freshSqliteUrl } from "./support/databases.ts";

defineListSuite("sqlite", async () => ({ url: await freshSqliteUrl("lists") }));

import { defineSqlSuite } from "./sql-suite";
import { freshSqliteUrl } from "./support/databases";

defineSqlSuite("sqlite", async () => ({ url: await freshSqliteUrl("sql") }));

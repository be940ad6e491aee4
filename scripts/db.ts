/**
 * Database CLI over lib/db/migrate.ts (the offline wasm schema engine):
 *
 *   node --import tsx scripts/db.ts deploy                   apply committed migrations
 *   node --import tsx scripts/db.ts status                   what is applied / pending
 *   node --import tsx scripts/db.ts create <name> [--provider sqlite|postgres]
 *                                                            new migration(s) from the schema;
 *                                                            both providers unless --provider
 *   node --import tsx scripts/db.ts seed                     seed (lib/agents/seed.ts)
 *
 * The database is DATABASE_URL (default file:./data/tandem.db). Exit code 1 on failure, and for
 * `status` when the database is not up to date.
 */
import { createMigration, deployMigrations, migrationStatus, type Provider, providerOf } from "@/lib/db/migrate";

const USAGE = "usage: scripts/db.ts deploy|status|seed | create <name> [--provider sqlite|postgres]";
const PROVIDERS: Provider[] = ["sqlite", "postgres"];

function parseArgs(argv: string[]) {
  const positional: string[] = [];
  let provider: Provider | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = arg === "--provider" ? argv[++i] : arg.startsWith("--provider=") ? arg.slice(11) : undefined;
    if (value !== undefined) {
      if (!PROVIDERS.includes(value as Provider)) throw new Error(`--provider must be sqlite or postgres\n${USAGE}`);
      provider = value as Provider;
    } else if (arg.startsWith("-")) {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    } else {
      positional.push(arg);
    }
  }
  return { command: positional[0], rest: positional.slice(1), provider };
}

/** Redacts the password of a postgres URL for printing. */
function display(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/i, "$1***@");
}

async function main(argv: string[]): Promise<number> {
  const { command, rest, provider } = parseArgs(argv);
  const url = process.env.DATABASE_URL || "file:./data/tandem.db";
  if (provider && command !== "create" && provider !== providerOf(url)) {
    throw new Error(`--provider ${provider} does not match DATABASE_URL (${providerOf(url)})`);
  }

  switch (command) {
    case "deploy": {
      const started = performance.now();
      const applied = await deployMigrations(url);
      const ms = Math.round(performance.now() - started);
      console.log(
        `${display(url)}: ${applied.length ? `applied ${applied.length} migration(s)` : "up to date"} (${ms} ms)`,
      );
      for (const name of applied) console.log(`  ${name}`);
      return 0;
    }
    case "status": {
      const s = await migrationStatus(url);
      console.log(`${display(url)} (${s.provider}): ${s.migrations.length} committed migration(s)`);
      const list = (label: string, names: string[]) => {
        if (names.length) console.log(`${label}:\n  ${names.join("\n  ")}`);
      };
      list("applied", s.applied);
      list("pending", s.pending);
      list("failed", s.failed);
      list("edited since applied", s.edited);
      list("in the database but not in the folder", s.unknown);
      if (!s.hasMigrationsTable) console.log("no _prisma_migrations table yet");
      console.log(s.upToDate ? "database schema is up to date" : "database is NOT up to date");
      return s.upToDate ? 0 : 1;
    }
    case "create": {
      const name = rest[0];
      if (!name || rest.length > 1) throw new Error(USAGE);
      const now = new Date(); // one timestamp for both providers keeps the histories in step
      for (const p of provider ? [provider] : PROVIDERS) {
        const folder = await createMigration(p, name, { now });
        const where = `prisma/${p}/migrations/${folder}/migration.sql`;
        console.log(folder ? `${p}: created ${where}` : `${p}: no schema changes`);
      }
      return 0;
    }
    case "seed": {
      process.env.DATABASE_URL = url; // lib/env.ts reads it when the seed module loads
      const { seedDefaults } = await import("@/lib/agents/seed");
      const { dbReady } = await import("@/lib/db/connection");
      await dbReady(); // per-connection settings first: SQLite refuses them inside the seed's transactions
      await seedDefaults();
      return 0;
    }
    default:
      throw new Error(USAGE);
  }
}

// pg pools and timers may keep the event loop alive, so exit explicitly.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(process.env.DEBUG_MIGRATIONS ? error : `error: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);

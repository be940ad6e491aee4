/**
 * `npm run admin:create`: creates an admin for the /admin pages, like Django's createsuperuser.
 *
 *   npm run admin:create                          asks for the username and the password
 *   npm run admin:create -- --username alice      asks for the password only
 *   ADMIN_PASSWORD=… npm run admin:create -- --username alice      no questions (scripts, CI)
 *   npm run admin:create -- --username alice --reset               sets a new password (signs out)
 *   npm run admin:create -- --username bob --role user             a plain user (TANDEM_AUTH=accounts)
 *
 * Admins are users of the accounts' user system with the admin role (they sign in to /admin and,
 * with TANDEM_AUTH=accounts, to the app).
 *
 * Piped input works too (`printf 'secret…\n' | npm run admin:create -- --username alice`).
 * The database is DATABASE_URL (default file:./data/tandem.db); pending migrations are applied.
 */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";

const USAGE = "usage: npm run admin:create -- [--username <name>] [--reset] [--role admin|user]";

function parseArgs(argv: string[]) {
  let username: string | undefined;
  let reset = false;
  let role: "admin" | "user" = "admin";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--username" || arg === "-u") username = argv[++i];
    else if (arg.startsWith("--username=")) username = arg.slice(11);
    else if (arg === "--reset") reset = true;
    else if (arg === "--role" || arg.startsWith("--role=")) {
      const value = arg === "--role" ? argv[++i] : arg.slice(7);
      if (value !== "admin" && value !== "user") throw new Error(`--role is admin or user\n${USAGE}`);
      role = value;
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return { username, reset, role };
}

/** Reads lines from stdin; on a terminal, `hidden` questions echo nothing. */
function prompter() {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  const lines: string[] = [];
  const waiting: Array<(line: string | undefined) => void> = [];
  let closed = false;
  rl.on("line", (line) => (waiting.length ? waiting.shift()!(line) : lines.push(line)));
  rl.on("close", () => {
    closed = true;
    while (waiting.length) waiting.shift()!(undefined);
  });
  return {
    async ask(question: string, hidden = false): Promise<string> {
      process.stdout.write(question);
      muted = hidden && process.stdin.isTTY === true;
      const line = lines.length
        ? lines.shift()
        : closed
          ? undefined
          : await new Promise<string | undefined>((r) => waiting.push(r));
      muted = false;
      if (hidden && process.stdin.isTTY) process.stdout.write("\n");
      if (line === undefined) throw new Error("no input (stdin closed)");
      return line;
    },
    close: () => rl.close(),
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  process.env.DATABASE_URL ||= "file:./data/tandem.db";
  const { deployMigrations } = await import("@/lib/db/migrate");
  await deployMigrations(process.env.DATABASE_URL);
  const { createAdmin } = await import("@/lib/admin/auth");
  const { dbReady } = await import("@/lib/db/connection");
  const { findUserByUsername } = await import("@/lib/db/users");
  await dbReady(); // per-connection settings first: SQLite refuses them inside a transaction

  const io = prompter();
  try {
    const username = (args.username ?? (await io.ask("Username: "))).trim();
    if (!args.reset && (await findUserByUsername(username))) {
      console.error(`error: a user named "${username}" already exists (use --reset to set a new password)`);
      return 1;
    }
    let password = process.env.ADMIN_PASSWORD;
    if (!password) {
      password = await io.ask("Password: ", true);
      if (process.stdin.isTTY) {
        const again = await io.ask("Password (again): ", true);
        if (again !== password) {
          console.error("error: the passwords differ");
          return 1;
        }
      }
    }
    const { user, created } = await createAdmin({ username, password, reset: args.reset, role: args.role });
    console.log(
      created
        ? args.role === "admin"
          ? `Created admin "${user.username}". Sign in at /admin.`
          : `Created user "${user.username}". Sign in at /sign-in.`
        : `Set a new password for "${user.username}" (signed out everywhere).`,
    );
    return 0;
  } finally {
    io.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);

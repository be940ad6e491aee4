import { z } from "zod";

/**
 * Tandem's configuration, read once and validated, so a malformed variable fails at start-up
 * with a clear message instead of later inside a request. README.md lists every variable.
 */
const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: int(3000, 0),
    /** Where to listen: loopback unless told otherwise (with auth off, anyone reaching it reads every chat). */
    HOSTNAME: z.string().default("127.0.0.1"),
    DATABASE_URL: z.string().min(1).default("file:./data/tandem.db"),
    DATABASE_POOL_SIZE: int(10, 1),
    /** Event fan-out across instances through Redis (lib/realtime/redis.ts); unset: in-process. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "Use redis://host:port[/db] or rediss://…")
      .optional(),
    /** Prepended to Tandem's Redis keys and channels (tests use one per test). */
    TANDEM_REDIS_PREFIX: z.string().max(100).default("tandem:"),
    OPENAI_API_KEY: z.string().optional(),
    OPENAI_BASE_URL: z.string().url().optional(),
    TANDEM_MODEL: z.string().default("gpt-4o-mini"),
    TANDEM_OFFLINE_DELAY_MS: int(0),
    TANDEM_AGENT_TIMEOUT_MS: int(120_000, 1),
    TANDEM_MODEL_RETRIES: int(2),
    TANDEM_MAX_TOOL_STEPS: int(4, 1),
    TANDEM_CONTEXT_TOKENS: int(6000, 200),
    /** A review or consult run starts no more rounds, turns or questions past these (0: no limit). */
    TANDEM_RUN_TOKEN_BUDGET: int(200_000),
    TANDEM_RUN_TIME_BUDGET_MS: int(600_000),
    /** Questions one agent may put to its teammates in one turn (consult). */
    TANDEM_MAX_QUESTIONS: int(3, 1),
    TANDEM_CORS_ORIGINS: z.string().default("*"),
    /** Signs admin session cookies and CSRF tokens; unset: a random key kept in the database. */
    TANDEM_SECRET_KEY: z.string().min(32, "Use at least 32 characters (e.g. `openssl rand -hex 32`).").optional(),
    /** With ADMIN_PASSWORD: the admin created at start when no admin of that name exists. */
    ADMIN_USERNAME: z.string().max(64).optional(),
    ADMIN_PASSWORD: z.string().optional(),
    /** Admin cookies carry `Secure`: "auto" in production only. */
    TANDEM_ADMIN_SECURE_COOKIE: z.enum(["auto", "true", "false"]).default("auto"),
    TANDEM_REPLAY_EVENTS: int(1000, 10),
    /** Bytes of frames kept for replay per session, and in total by the in-process hub. */
    TANDEM_REPLAY_BYTES: int(256 * 1024, 1024),
    TANDEM_REPLAY_TOTAL_BYTES: int(64 * 1024 * 1024, 1024),
    TANDEM_RUN_LEASE_MS: int(15_000, 1000),
    TANDEM_SHUTDOWN_GRACE_MS: int(10_000),
    /** Sends a session may hold waiting behind its running run; one more is answered 429. */
    TANDEM_QUEUE_LIMIT: int(5, 1),
    TANDEM_INSTANCE_ID: z.string().optional(),
    /** The largest body `POST /api/import/` takes (a ChatGPT export of many chats is large); others take 1 MiB. */
    TANDEM_IMPORT_MAX_BYTES: int(25 * 1024 * 1024, 1024),
    /** "1" enables the benchmark-only routes under /bench (npm run bench sets it). */
    TANDEM_BENCH: z.enum(["0", "1"]).default("0"),
    TANDEM_API_KEYS: z.string().optional(),
    /** off: one person, everything open (the default); accounts: sign-in, each chat owned (lib/accounts). */
    TANDEM_AUTH: z.enum(["off", "accounts"]).default("off"),
    /** Who may create an account: anyone, holders of an invite code, or only admins (the first user always). */
    TANDEM_SIGNUP: z.enum(["open", "invite", "admin"]).default("open"),
    /** Invite codes for TANDEM_SIGNUP=invite (comma-separated). */
    TANDEM_INVITE_CODES: z.string().optional(),
    /** The address people reach Tandem at (sign-in callbacks, allowed origins); unset: taken from each request. */
    TANDEM_PUBLIC_URL: z.string().url().optional(),
    /** Single sign-on through an OpenID Connect provider: its issuer URL, client id and secret. */
    TANDEM_OIDC_ISSUER: z.string().url().optional(),
    TANDEM_OIDC_CLIENT_ID: z.string().optional(),
    TANDEM_OIDC_CLIENT_SECRET: z.string().optional(),
    /** With accounts: messages one user may send per day (0: no limit); TANDEM_SEND_RATE then counts per user. */
    TANDEM_USER_DAILY_MESSAGES: int(0),
    TANDEM_SEND_RATE: z
      .string()
      .regex(/^\s*\d+\s*\/\s*(s|sec|second|m|min|minute|h|hour)\s*$/i, 'Use "<count>/<sec|min|hour>", e.g. "30/min".')
      .optional(),
    /** Take the client address and host from X-Forwarded-* (behind a reverse proxy you run); else they are dropped. */
    TANDEM_TRUST_PROXY: z
      .enum(["0", "1", "true", "false"])
      .default("0")
      .transform((v) => v === "1" || v === "true"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((e, ctx) => {
    // The provider sends people back to one registered callback URL, so single sign-on needs the
    // public address: a request's own host would be whatever the proxy or Next saw (often localhost).
    if (!e.TANDEM_OIDC_ISSUER) return;
    for (const name of ["TANDEM_OIDC_CLIENT_ID", "TANDEM_PUBLIC_URL"] as const)
      if (!e[name]) ctx.addIssue({ code: "custom", path: [name], message: "required with TANDEM_OIDC_ISSUER" });
  });

export type Env = z.infer<typeof schema>;

function load(): Env {
  const parsed = schema.safeParse(
    // Empty strings mean "unset", as in most .env tooling.
    Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== "")),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export const env: Env = load();

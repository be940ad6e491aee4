/**
 * Accounts through Better Auth (TANDEM_AUTH=accounts): its Prisma adapter on Tandem's own
 * database (models in prisma/models.prisma), email or username and password, OpenID Connect
 * single sign-on when TANDEM_OIDC_* is set, and the sign-up policy (TANDEM_SIGNUP). Passwords
 * use the admin's scrypt format (lib/admin/crypto.ts), so admins made before accounts sign in
 * with the password they had. Mounted at /api/auth (app/api/auth/[...all]/route.ts).
 */
import { APIError, betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import { username } from "better-auth/plugins/username";
import { secretKey, secureCookies } from "@/lib/admin/auth";
import { hashPassword, verifyPassword } from "@/lib/admin/crypto";
import { db, isPostgresUrl } from "@/lib/db/connection";
import { countUsers } from "@/lib/db/users";
import { env } from "@/lib/env";
import { CLIENT_ADDRESS_HEADER } from "@/lib/request";
import { singleton } from "@/lib/singleton";
import { forgetUser } from "./recent-sessions";

export const AUTH_BASE_PATH = "/api/auth";
export const OIDC_PROVIDER_ID = "oidc";

/** The code of a refused sign-up; single sign-on sends the browser to /sign-in?error=<it>. */
export const SIGN_UP_REFUSED = "SIGN_UP_REFUSED";

/** Usernames: what admin usernames always allowed (Better Auth compares them lower-cased). */
const USERNAME_PATTERN = /^[A-Za-z0-9_.@+-]+$/;

/**
 * Who may create an account. The first account is always allowed and becomes the admin; after
 * that, `open` lets anyone in, `invite` asks for one of TANDEM_INVITE_CODES, and `admin` refuses
 * self sign-up (admins create accounts: `npm run admin:create -- --role user`). Single sign-on
 * creates its users here too, so the same policy holds for it (an SSO user has no invite code:
 * under `invite` and `admin` only people who already have an account, linked by their verified
 * email, get in that way).
 */
export async function signUpRole(inviteCode: unknown): Promise<"admin" | "user"> {
  if ((await countUsers()) === 0) return "admin";
  if (env.TANDEM_SIGNUP === "open") return "user";
  if (env.TANDEM_SIGNUP === "invite") {
    const codes = (env.TANDEM_INVITE_CODES ?? "")
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean);
    if (typeof inviteCode === "string" && codes.includes(inviteCode.trim())) return "user";
    throw new APIError("FORBIDDEN", { code: SIGN_UP_REFUSED, message: "Signing up needs a valid invite code." });
  }
  throw new APIError("FORBIDDEN", { code: SIGN_UP_REFUSED, message: "Accounts are created by an admin here." });
}

/**
 * Without TANDEM_PUBLIC_URL, the origin a request was sent to (its Host; X-Forwarded-Host only
 * from a trusted proxy, the edge drops it otherwise) is the one trusted: pages of this Tandem
 * may sign in, pages of any other origin may not.
 */
function ownOrigins(request: Request | undefined): string[] {
  const host = request?.headers.get("x-forwarded-host")?.split(",")[0].trim() || request?.headers.get("host");
  return host ? [`http://${host}`, `https://${host}`] : [];
}

function createAuth(secret: string) {
  // lib/env.ts requires TANDEM_OIDC_CLIENT_ID and TANDEM_PUBLIC_URL with the issuer.
  const oidc =
    env.TANDEM_OIDC_ISSUER && env.TANDEM_OIDC_CLIENT_ID
      ? [
          genericOAuth({
            config: [
              {
                providerId: OIDC_PROVIDER_ID,
                discoveryUrl: `${env.TANDEM_OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
                clientId: env.TANDEM_OIDC_CLIENT_ID,
                clientSecret: env.TANDEM_OIDC_CLIENT_SECRET,
                scopes: ["openid", "email", "profile"],
                pkce: true,
                // client_secret_basic: the OIDC default, the one method every provider supports.
                authentication: "basic",
              },
            ],
          }),
        ]
      : [];
  return betterAuth({
    basePath: AUTH_BASE_PATH,
    baseURL: env.TANDEM_PUBLIC_URL,
    trustedOrigins: (request) => (env.TANDEM_PUBLIC_URL ? [] : ownOrigins(request)),
    secret,
    database: prismaAdapter(db(), { provider: isPostgresUrl(env.DATABASE_URL) ? "postgresql" : "sqlite" }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      maxPasswordLength: 256,
      password: { hash: hashPassword, verify: ({ hash, password }) => verifyPassword(password, hash) },
    },
    user: { additionalFields: { role: { type: "string", input: false, defaultValue: "user" } } },
    session: {
      // A signed copy of the session in a cookie for a minute spares the database a read on
      // every API call; signing out clears it, other devices' copies lapse within the minute.
      cookieCache: { enabled: true, maxAge: 60 },
    },
    databaseHooks: {
      // Signing out or revoking a session: this instance checks the user's cookies afresh.
      session: { delete: { after: async (session) => forgetUser(session.userId) } },
      user: {
        create: {
          async before(user, ctx) {
            const role = await signUpRole((ctx?.body as { inviteCode?: unknown } | undefined)?.inviteCode);
            return { data: { ...user, role } };
          },
        },
      },
    },
    // A single sign-on that fails (a refused sign-up, a provider's error) lands on the sign-in
    // page with ?error=<code>, which says why; not on Better Auth's bare error page.
    onAPIError: { errorURL: "/sign-in" },
    advanced: {
      // The edge decides the client address (honouring TANDEM_TRUST_PROXY) and writes it here.
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
      useSecureCookies: secureCookies(),
    },
    plugins: [
      username({
        minUsernameLength: 2,
        maxUsernameLength: 64,
        usernameValidator: (name) => USERNAME_PATTERN.test(name),
      }),
      ...oidc,
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** The process's Better Auth instance (made once the secret key is known). */
export function auth(): Promise<Auth> {
  const cached = singleton<{ auth?: Promise<Auth> }>("accounts.auth", () => ({}));
  cached.auth ??= secretKey().then(createAuth, (e) => {
    cached.auth = undefined;
    throw e;
  });
  return cached.auth;
}

export const accountsEnabled = () => env.TANDEM_AUTH === "accounts";

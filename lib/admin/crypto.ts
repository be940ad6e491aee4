/**
 * The admin's cryptography, pure and separately testable: scrypt password hashes, the signed
 * session cookie value, and the CSRF token tied to a session. Nothing here touches the database.
 */
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// ---------------------------------------------------------------------------------------------
// 1. Passwords: scrypt$N$r$p$<salt>$<hash>, salt and hash base64url
// ---------------------------------------------------------------------------------------------

/** OWASP's scrypt floor is N=2^17,r=8,p=1; 2^15 keeps a login near 100 ms on a small box. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 64, saltLength: 16 } as const;

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, keyLength, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLength);
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** Constant-time check of a password against a stored hash; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16)
    return false;
  const salt = Buffer.from(parts[4], "base64url");
  const expected = Buffer.from(parts[5], "base64url");
  if (salt.length < 8 || expected.length < 16) return false;
  const actual = await scryptAsync(password, salt, N, r, p, expected.length);
  return timingSafeEqual(actual, expected);
}

/** A hash of a random password: verifying an unknown username costs as much as a known one. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword(randomBytes(16).toString("hex")));

// ---------------------------------------------------------------------------------------------
// 2. Session cookie: <token>.<HMAC-SHA256(secret, "session:" + token)>
// ---------------------------------------------------------------------------------------------

const hmac = (secret: string, purpose: string, value: string) =>
  createHmac("sha256", secret).update(`${purpose}:${value}`).digest("base64url");

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const newSessionToken = () => randomBytes(32).toString("base64url");

/** What the database stores for a session token (never the token itself). */
export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

export function signSessionToken(token: string, secret: string): string {
  return `${token}.${hmac(secret, "session", token)}`;
}

/** The token of a correctly signed cookie value, else null (tampered, truncated, foreign key). */
export function verifySessionCookie(value: string | undefined, secret: string): string | null {
  if (!value || value.length > 200) return null;
  const dot = value.indexOf(".");
  if (dot <= 0) return null;
  const token = value.slice(0, dot);
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return safeEqual(value.slice(dot + 1), hmac(secret, "session", token)) ? token : null;
}

// ---------------------------------------------------------------------------------------------
// 3. CSRF: a synchronizer token derived from the session token, so it is per session, needs no
//    storage, and cannot be made without the secret key (nor read by another site).
// ---------------------------------------------------------------------------------------------

export function csrfTokenFor(sessionToken: string, secret: string): string {
  return hmac(secret, "csrf", sessionToken);
}

export function verifyCsrfToken(sessionToken: string, submitted: unknown, secret: string): boolean {
  return (
    typeof submitted === "string" && submitted.length > 0 && safeEqual(submitted, csrfTokenFor(sessionToken, secret))
  );
}

// ---------------------------------------------------------------------------------------------
// 4. Login throttling policy: failures within a window; past a threshold, an exponential wait
// ---------------------------------------------------------------------------------------------

/**
 * Per username from one client address, 5 failures an hour are free, then each further one
 * doubles the wait (2 s, 4 s, 8 s …, at most 15 min); per address, whatever the usernames, the
 * allowance is larger (people share addresses). Never per username alone: failures from
 * elsewhere must not refuse the admin's right password (anyone could lock an admin out).
 */
export const THROTTLE = {
  windowMs: 60 * 60_000,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  freePerUsernameAndAddress: 5,
  freePerAddress: 20,
} as const;

/** How long to refuse logins after the `failures`-th failure in a window (0: not yet). */
export function throttleDelayMs(failures: number, free: number = THROTTLE.freePerUsernameAndAddress): number {
  if (failures < free) return 0;
  return Math.min(THROTTLE.maxDelayMs, THROTTLE.baseDelayMs * 2 ** Math.min(30, failures - free));
}

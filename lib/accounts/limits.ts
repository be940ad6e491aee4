/**
 * Per-user limits with accounts: TANDEM_SEND_RATE counted per user (or service key) instead of
 * per client address, and TANDEM_USER_DAILY_MESSAGES, messages a user may send per UTC day.
 * Over either: 429 with Retry-After, before anything is stored.
 */
import { parseRate, rateLimiter } from "@/lib/api/rate-limit";
import { countUserMessagesSince } from "@/lib/db/messages";
import { env } from "@/lib/env";
import { TandemError } from "@/lib/errors";
import { singleton } from "@/lib/singleton";
import type { Principal } from "./principal";

const limiter = () => singleton("accounts.sendRate", () => rateLimiter(parseRate(env.TANDEM_SEND_RATE)));

const tooMany = (detail: string, seconds: number) =>
  new TandemError("rate_limited", detail, { headers: { "Retry-After": String(Math.max(1, seconds)) } });

export async function checkSendLimits(principal: Principal, now = new Date()): Promise<void> {
  const who =
    principal.kind === "user"
      ? `user:${principal.userId}`
      : principal.kind === "service"
        ? `key:${principal.keyId}`
        : null;
  if (who === null) return;
  const verdict = limiter().take(who);
  if (!verdict.ok) {
    throw tooMany(`Too many messages sent; try again in ${verdict.retryAfterSeconds} s.`, verdict.retryAfterSeconds);
  }
  const daily = env.TANDEM_USER_DAILY_MESSAGES;
  if (daily === 0 || principal.kind !== "user") return;
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if ((await countUserMessagesSince(principal.userId, dayStart)) >= daily) {
    const seconds = Math.ceil((dayStart.getTime() + 86_400_000 - now.getTime()) / 1000);
    throw tooMany(`You have sent the ${daily} messages a day allows; try again tomorrow (UTC).`, seconds);
  }
}

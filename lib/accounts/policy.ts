/** What the sign-in and sign-up pages offer, from the configuration. */
import { countUsers } from "@/lib/db/users";
import { env } from "@/lib/env";

export async function signUpOffer(): Promise<{ allowed: boolean; invite: boolean }> {
  if ((await countUsers()) === 0) return { allowed: true, invite: false };
  return { allowed: env.TANDEM_SIGNUP !== "admin", invite: env.TANDEM_SIGNUP === "invite" };
}

export const singleSignOnOffered = () => Boolean(env.TANDEM_OIDC_ISSUER && env.TANDEM_OIDC_CLIENT_ID);

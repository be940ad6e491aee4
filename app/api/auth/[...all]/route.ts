import { toNextJsHandler } from "better-auth/next-js";
import { accountsEnabled, auth } from "@/lib/accounts/auth";
import { notFound } from "@/lib/errors";

// Better Auth's endpoints (sign-up, sign-in, sign-out, single sign-on); with auth off, none.
async function handle(req: Request): Promise<Response> {
  if (!accountsEnabled()) return notFound().toResponse();
  return (await auth()).handler(req);
}

export const { GET, POST } = toNextJsHandler(handle);

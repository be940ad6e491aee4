import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { AuthCard } from "@/app/(auth)/_components/AuthCard";
import { AuthForm } from "@/app/(auth)/_components/AuthForm";
import { accountsEnabled, SIGN_UP_REFUSED } from "@/lib/accounts/auth";
import { currentUser, safeAppNext } from "@/lib/accounts/next";
import { signUpOffer, singleSignOnOffered } from "@/lib/accounts/policy";

export const metadata: Metadata = { title: "Sign in" };

/**
 * Why single sign-on sent the browser back here (?error=<code> from Better Auth). Only codes are
 * read, never the provider's description: a link could carry any text.
 */
function singleSignOnError(code: string | string[] | undefined): string | undefined {
  if (typeof code !== "string") return undefined;
  if (code === SIGN_UP_REFUSED) return "There is no account here for that sign-in yet; ask an admin for one.";
  // Better Auth's code when the provider's email belongs to a password account: emails are not
  // verified here, so that account is not linked to the sign-on (it could be someone else's).
  if (code === "account_not_linked") return "An account here already uses that email; sign in with its password.";
  return "Single sign-on did not complete; try again.";
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; error?: string | string[] }>;
}) {
  if (!accountsEnabled()) notFound();
  const params = await searchParams;
  const next = safeAppNext(params.next);
  if (await currentUser()) redirect(next);
  const signUp = await signUpOffer();
  return (
    <AuthCard
      title="Sign in"
      lead="Your conversations are yours: sign in to see them."
      footer={
        signUp.allowed ? (
          <>
            New here?{" "}
            <a href={`/sign-up?next=${encodeURIComponent(next)}`} className="text-primary-ink hover:underline">
              Create an account
            </a>
          </>
        ) : (
          "Ask an admin for an account."
        )
      }
    >
      <AuthForm
        mode="sign-in"
        next={next}
        invite={false}
        sso={singleSignOnOffered()}
        initialError={singleSignOnError(params.error)}
      />
    </AuthCard>
  );
}

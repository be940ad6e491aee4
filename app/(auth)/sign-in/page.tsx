import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { AuthCard } from "@/app/(auth)/_components/AuthCard";
import { AuthForm } from "@/app/(auth)/_components/AuthForm";
import { accountsEnabled } from "@/lib/accounts/auth";
import { currentUser, safeAppNext } from "@/lib/accounts/next";
import { signUpOffer, singleSignOnOffered } from "@/lib/accounts/policy";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  if (!accountsEnabled()) notFound();
  const next = safeAppNext((await searchParams).next);
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
      <AuthForm mode="sign-in" next={next} invite={false} sso={singleSignOnOffered()} />
    </AuthCard>
  );
}

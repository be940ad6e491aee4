import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { AuthCard } from "@/app/(auth)/_components/AuthCard";
import { AuthForm } from "@/app/(auth)/_components/AuthForm";
import { accountsEnabled } from "@/lib/accounts/auth";
import { currentUser, safeAppNext } from "@/lib/accounts/next";
import { signUpOffer, singleSignOnOffered } from "@/lib/accounts/policy";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  if (!accountsEnabled()) notFound();
  const next = safeAppNext((await searchParams).next);
  if (await currentUser()) redirect(next);
  const offer = await signUpOffer();
  const signInLink = (
    <a href={`/sign-in?next=${encodeURIComponent(next)}`} className="text-primary-ink hover:underline">
      Sign in
    </a>
  );
  if (!offer.allowed) {
    return (
      <AuthCard
        title="Accounts are made by an admin"
        lead="Ask an admin of this Tandem for an account."
        footer={signInLink}
      >
        <p className="text-sm text-ink-soft" data-testid="sign-up-closed">
          Sign-up is closed here.
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Create an account"
      lead="The first account becomes the admin."
      footer={<>Have an account? {signInLink}</>}
    >
      <AuthForm mode="sign-up" next={next} invite={offer.invite} sso={singleSignOnOffered()} />
    </AuthCard>
  );
}

import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { TandemMark } from "@/app/(chat)/_components/icons";
import { adminConfigured } from "@/lib/admin/auth";
import { currentAdmin, safeNext } from "@/lib/admin/next";
import { LoginForm } from "./LoginForm";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const next = safeNext(typeof params.next === "string" ? params.next : undefined);
  if (await currentAdmin()) redirect(next);
  const configured = await adminConfigured();
  return (
    <main className="flex min-h-dvh items-center justify-center bg-hero-gradient px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2.5 text-ink">
          <TandemMark size={34} />
          <span className="text-xl font-semibold tracking-tight">Tandem admin</span>
        </div>
        <div className="rounded-card border border-line bg-surface p-6 shadow-card">
          {configured ? (
            <>
              <h1 className="mb-1 text-lg font-semibold text-ink">Sign in</h1>
              <p className="mb-5 text-sm text-muted">Manage agents, tools, sessions and runs.</p>
              {params.signed_out === "1" && (
                <p
                  role="status"
                  data-testid="signed-out"
                  className="mb-4 rounded-control bg-primary-soft px-3 py-2 text-sm text-primary-ink"
                >
                  You are signed out.
                </p>
              )}
              <LoginForm next={next} />
            </>
          ) : (
            <div data-testid="no-admin">
              <h1 className="mb-2 text-lg font-semibold text-ink">No admin yet</h1>
              <p className="text-sm leading-relaxed text-ink-soft">
                Create the first admin on the server, then reload this page:
              </p>
              <pre className="my-3 overflow-x-auto rounded-control border border-line bg-code p-3 font-mono text-xs text-ink">
                npm run admin:create
              </pre>
              <p className="text-sm leading-relaxed text-ink-soft">
                or start Tandem with <code className="font-mono text-xs">ADMIN_USERNAME</code> and{" "}
                <code className="font-mono text-xs">ADMIN_PASSWORD</code> set.
              </p>
            </div>
          )}
        </div>
        <p className="mt-4 text-center text-sm">
          <a href="/" className="text-primary-ink hover:underline">
            ← Back to the chat
          </a>
        </p>
      </div>
    </main>
  );
}

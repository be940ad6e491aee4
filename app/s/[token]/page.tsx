import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TandemMark } from "@/app/(chat)/_components/icons";
import { Markdown } from "@/app/(chat)/_components/Markdown";
import { findSharedSession } from "@/lib/db/share-links";
import { pathHistory } from "@/lib/db/turns";

export const metadata: Metadata = { title: "Shared chat", robots: { index: false, follow: false } };

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * A shared conversation, read-only, for anyone holding the link (no sign-in, none of the app's
 * chrome). A revoked or unknown link is a plain 404.
 */
export default async function SharedChatPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = TOKEN.test(token) ? await findSharedSession(token) : null;
  if (!link) notFound();
  const { rows } = await pathHistory(link.session.id, { limit: 1000 });
  const messages = rows.filter((m) => m.role === "user" || m.role === "agent");
  return (
    <main className="min-h-dvh bg-page px-4 py-8" data-testid="shared-chat">
      <article className="mx-auto w-full max-w-3xl">
        <header className="mb-6 flex items-center gap-2.5 border-b border-line pb-4 text-ink">
          <TandemMark size={26} />
          <h1 className="min-w-0 flex-1 truncate text-lg font-semibold" data-testid="shared-title">
            {link.session.title || "Untitled chat"}
          </h1>
          <span className="shrink-0 text-xs text-muted">Shared, read-only</span>
        </header>
        <ol className="space-y-5">
          {messages.map((m) => (
            <li key={m.id} data-testid="shared-message" data-role={m.role}>
              <p className="mb-1 text-xs font-medium uppercase tracking-wide text-muted">
                {m.role === "user" ? "Question" : (m.agent?.name ?? "Agent")}
              </p>
              {m.role === "user" ? (
                <p className="whitespace-pre-wrap rounded-card bg-primary-soft px-4 py-3 text-sm text-ink">
                  {m.content}
                </p>
              ) : (
                <Markdown text={m.content} className="text-sm text-ink" />
              )}
            </li>
          ))}
          {messages.length === 0 && <li className="text-sm text-muted">Nothing here yet.</li>}
        </ol>
      </article>
    </main>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TandemMark } from "@/app/(chat)/_components/icons";
import { accountsEnabled } from "@/lib/accounts/auth";
import { personalKeys, shareLinks } from "@/lib/accounts/keys";
import { requireUserPage } from "@/lib/accounts/next";
import { listSessionSummaries } from "@/lib/db/sessions";
import { KeysPanel, SharePanel, SignOutButton } from "./panels";

export const metadata: Metadata = { title: "Settings" };

/** The signed-in person's settings: personal API keys, share links, sign-out. */
export default async function SettingsPage() {
  if (!accountsEnabled()) notFound();
  const user = (await requireUserPage("/settings"))!;
  const principal = { kind: "user" as const, userId: user.id, admin: user.admin };
  const [keys, links, chats] = await Promise.all([
    personalKeys(user.id),
    shareLinks(principal),
    listSessionSummaries({ ownerId: user.id, order: "updated", limit: 100, offset: 0 }),
  ]);
  return (
    <main className="min-h-dvh bg-hero-gradient px-4 py-8">
      <div className="mx-auto w-full max-w-2xl space-y-6">
        <header className="flex items-center gap-3">
          <a
            href="/"
            className="flex items-center gap-2.5 rounded-control text-ink"
            aria-label="Tandem — back to chats"
          >
            <TandemMark size={28} />
            <span className="text-lg font-semibold tracking-tight">Tandem</span>
          </a>
          <span className="ml-auto text-sm text-ink-soft" data-testid="settings-user">
            Signed in as <strong className="text-ink">{user.name}</strong>
            {user.admin ? " (admin)" : ""}
          </span>
          <SignOutButton />
        </header>
        <h1 className="text-2xl font-semibold text-ink">Settings</h1>
        <KeysPanel
          keys={keys.map((k) => ({
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            created: k.createdAt.toISOString().slice(0, 10),
            lastUsed: k.lastUsedAt?.toISOString().slice(0, 10) ?? null,
          }))}
        />
        <SharePanel
          chats={chats.rows.map((c) => ({ id: c.sessionId, title: c.title || "Untitled chat" }))}
          links={links.map((l) => ({
            id: l.id,
            path: `/s/${l.token}`,
            title: l.session.title || "Untitled chat",
          }))}
        />
      </div>
    </main>
  );
}

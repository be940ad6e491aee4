import { TandemMark } from "@/app/(chat)/_components/icons";

/** The frame of the sign-in and sign-up pages: the mark, a card, and a line under it. */
export function AuthCard(props: { title: string; lead: string; children: React.ReactNode; footer: React.ReactNode }) {
  return (
    <main className="flex min-h-dvh items-center justify-center bg-hero-gradient px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2.5 text-ink">
          <TandemMark size={34} />
          <span className="text-xl font-semibold tracking-tight">Tandem</span>
        </div>
        <div className="rounded-card border border-line bg-surface p-6 shadow-card">
          <h1 className="mb-1 text-lg font-semibold text-ink">{props.title}</h1>
          <p className="mb-5 text-sm text-muted">{props.lead}</p>
          {props.children}
        </div>
        <p className="mt-4 text-center text-sm text-ink-soft">{props.footer}</p>
      </div>
    </main>
  );
}

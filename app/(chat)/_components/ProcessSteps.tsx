"use client";

import { displayName } from "@/lib/client/agents";
import type { ProcessSteps as Steps, Verdict } from "@/lib/client/process";

/**
 * A turn's review rounds and consultations, at the top of its "how we got here" strip: who
 * drafted, each verdict with its notes, who asked whom what. The messages themselves follow.
 */
export function ProcessSteps({ steps }: { steps: Steps }) {
  if (!steps.rounds.length && !steps.consultations.length) return null;
  return (
    <ol
      data-testid="process-steps"
      aria-label="How the team worked"
      className="ml-11 flex flex-col gap-1.5 rounded-card border border-line bg-surface px-3 py-2 text-sm shadow-soft"
    >
      {steps.rounds.map((r) => (
        <li
          key={`r${r.round}`}
          data-testid="process-round"
          data-round={r.round}
          data-verdict={r.verdict ?? undefined}
          className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5"
        >
          <span className="font-semibold text-ink">Round {r.round}</span>
          <span className="text-ink-soft">
            {r.drafters.map(displayName).join(", ") || "The team"} {r.round > 1 ? "revised" : "drafted"}
            {r.reviewer ? ` · ${displayName(r.reviewer)}:` : ""}
          </span>
          {r.reviewer && <VerdictBadge verdict={r.verdict} />}
          {r.notes && r.verdict === "changes" && (
            <span data-testid="process-notes" className="basis-full text-xs text-ink-soft">
              {r.notes}
            </span>
          )}
        </li>
      ))}
      {steps.consultations.map((c) => (
        <li key={`c${c.id}`} data-testid="consultation" className="flex flex-wrap items-baseline gap-x-2">
          <span className="font-semibold text-ink">
            {displayName(c.askedBy)} asked {displayName(c.agent)}
          </span>
          <q className="min-w-0 text-ink-soft">{c.question}</q>
          {c.pending && <span className="text-xs text-muted">answering…</span>}
        </li>
      ))}
    </ol>
  );
}

function VerdictBadge({ verdict }: { verdict: Verdict | null }) {
  if (verdict === "approve")
    return (
      <span className="rounded-full bg-success-soft px-2 py-0.5 text-xs font-medium text-success-ink">Approved</span>
    );
  if (verdict === "changes")
    return (
      <span className="rounded-full bg-danger-soft px-2 py-0.5 text-xs font-medium text-danger-ink">
        Changes requested
      </span>
    );
  return <span className="text-xs text-muted">reviewing…</span>;
}

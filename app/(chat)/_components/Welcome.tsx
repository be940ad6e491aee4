"use client";

import { useState } from "react";
import { agentTone } from "@/lib/client/agents";
import { Composer } from "./Composer";
import { TandemMark } from "./icons";
import { AgentAvatar } from "./MessageItem";
import { useSessions, useShell } from "./shell-context";
import { TeamPicker } from "./TeamPicker";

export const EMPTY_STATE_TEXT = "Ask anything — a researcher and a writer will work on it together";

const SUGGESTIONS = [
  "Compare SQLite and PostgreSQL for a small team's internal tool",
  "Explain how WebSocket reconnects can avoid losing messages",
  "Plan a relaxed three-day trip to Lisbon in spring",
];

/** The two default agents, introduced. Used by the home page and a new chat's empty state. */
export function AgentsIntro({ compact = false, onPick }: { compact?: boolean; onPick?: (s: string) => void }) {
  return (
    <div className="mx-auto w-full max-w-xl">
      {!compact && (
        <div className="mb-5 flex justify-center">
          <span className="rounded-[18px] p-1.5 shadow-card ring-1 ring-line">
            <TandemMark size={44} />
          </span>
        </div>
      )}
      <h2
        className={`text-balance font-semibold tracking-tight text-ink ${compact ? "text-lg" : "text-2xl sm:text-[1.7rem]"}`}
      >
        {EMPTY_STATE_TEXT}
      </h2>
      <p className="mx-auto mt-2 max-w-md text-balance text-sm text-ink-soft">
        You&apos;ll watch them work: the researcher gathers facts and writes notes, then the writer turns the notes into
        your answer.
      </p>
      <div className="mt-6 grid gap-3 text-left sm:grid-cols-2">
        <AgentCard
          name="researcher"
          title="Researcher"
          text="Digs in first: looks things up, uses tools, writes notes."
        />
        <AgentCard name="writer" title="Writer" text="Reads the notes and writes a clear, friendly answer." />
      </div>
      {onPick && (
        <div className="mt-6">
          <p className="mb-2 text-xs font-medium uppercase tracking-[0.08em] text-muted">Try one</p>
          <div className="flex flex-wrap justify-center gap-2">
            {SUGGESTIONS.map((s) => (
              <button
                key={s}
                type="button"
                data-testid="suggestion"
                onClick={() => onPick(s)}
                className="rounded-full border border-line bg-surface px-3 py-1.5 text-left text-[13px] text-ink-soft shadow-soft transition-colors hover:border-primary/40 hover:bg-primary-soft hover:text-ink"
              >
                {s}
              </button>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

function AgentCard({ name, title, text }: { name: string; title: string; text: string }) {
  return (
    <div
      className={`tone-${agentTone(name)} bg-agent-bubble flex gap-3 rounded-card border border-line p-3.5 shadow-soft`}
    >
      <AgentAvatar name={name} size={34} />
      <div className="min-w-0">
        <p className="text-sm font-semibold" style={{ color: "var(--tone-ink)" }}>
          {title}
        </p>
        <p className="mt-0.5 text-[13px] leading-snug text-ink-soft">{text}</p>
      </div>
    </div>
  );
}

/** `/`: no chat open yet. Typing here creates a chat and sends the message in one go. */
export function HomeView() {
  const shell = useShell();
  const snap = useSessions(shell.sessions);
  const [draft, setDraft] = useState("");

  async function send() {
    const text = draft.trim();
    if (!text) return;
    const s = await shell.startChat(text);
    if (s) setDraft("");
  }

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="home">
      <div className="bg-hero-gradient scroll-calm min-h-0 flex-1 overflow-y-auto">
        <div
          data-testid="empty-state"
          className="flex min-h-full flex-col items-center justify-center px-4 py-10 text-center"
        >
          <AgentsIntro onPick={(s) => setDraft(s)} />
          <TeamPicker />
          {snap.status === "unreachable" && !snap.loaded && (
            <p
              role="status"
              className="mt-6 rounded-full bg-secondary-soft px-3 py-1 text-xs font-medium text-secondary-ink"
            >
              Can&apos;t reach the Tandem server — retrying
            </p>
          )}
        </div>
      </div>
      <div className="shrink-0 px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] sm:px-5">
        <div className="mx-auto w-full max-w-3xl pt-3">
          <Composer
            value={draft}
            onChange={setDraft}
            onSend={() => void send()}
            busy={false}
            sending={shell.creating}
            autoFocus
            hint="Enter to start a new chat · Shift+Enter for a new line"
          />
        </div>
      </div>
    </div>
  );
}

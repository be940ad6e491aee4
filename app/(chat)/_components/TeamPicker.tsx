"use client";

import { useState } from "react";
import { useShell } from "./shell-context";
import { useTeams } from "./teams";

/** The welcome screen's choice of team for the chat about to start, one line each. */
export function TeamPicker() {
  const shell = useShell();
  const teams = useTeams();
  const [picked, setPicked] = useState(shell.sessions.teamForNewChats);
  if (!teams || teams.length < 2) return null;
  const chosen = picked ?? teams.find((t) => t.is_default)?.name;
  return (
    <fieldset className="mx-auto mt-6 w-full max-w-xl text-left" data-testid="team-picker">
      <legend className="mb-2 text-xs font-medium uppercase tracking-[0.08em] text-muted">Team for this chat</legend>
      <div className="grid gap-2">
        {teams.map((t) => (
          <label
            key={t.id}
            data-testid="team-option"
            data-team={t.name}
            className="flex cursor-pointer items-start gap-3 rounded-card border border-line bg-surface px-3.5 py-2.5 shadow-soft transition-colors hover:border-primary/40 has-[:checked]:border-primary has-[:checked]:bg-primary-soft has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-primary-ring"
          >
            <input
              type="radio"
              name="team"
              value={t.name}
              checked={chosen === t.name}
              onChange={() => {
                shell.sessions.teamForNewChats = t.name;
                setPicked(t.name);
              }}
              className="mt-1 h-4 w-4 accent-primary"
            />
            <span className="min-w-0">
              <span className="block text-sm font-semibold text-ink">
                {t.name}
                <span className="ml-2 font-normal text-ink-soft">{t.members.map((m) => m.agent.name).join(" → ")}</span>
              </span>
              {t.description && <span className="block truncate text-[13px] text-ink-soft">{t.description}</span>}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

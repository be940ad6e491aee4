"use client";

import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { api, describeError } from "@/lib/client/api";
import type { Session } from "@/lib/contract/types";
import { decodeParam, useSessions, useShell } from "./shell-context";
import { teamOfSession, useTeams } from "./teams";

const CUSTOM = "";

/**
 * The open chat's team, and the choice of another: the session's agents become the team's
 * members. Other windows of the chat hear of it (session_updated), which re-reads it here too.
 */
export function TeamMenu() {
  const shell = useShell();
  const path = usePathname();
  const sessionId = path.startsWith("/c/") ? decodeParam(path.slice(3)) : null;
  const teams = useTeams();
  const sidebar = useSessions(shell.sessions);
  // The sidebar's copy changes when a session_updated arrives: the moment to read the team again.
  const updatedAt = sidebar.sessions.find((s) => s.session_id === sessionId)?.updated_at;
  const [session, setSession] = useState<Session | null>(null);
  const [busy, setBusy] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: updatedAt is the trigger (another window changed the session), not a value read.
  useEffect(() => {
    if (!sessionId) return setSession(null);
    let live = true;
    api.getSession(sessionId).then(
      (s) => live && setSession(s),
      () => live && setSession(null),
    );
    return () => {
      live = false;
    };
  }, [sessionId, updatedAt]);

  if (!sessionId || !teams?.length || !session || session.session_id !== sessionId) return null;
  const current = teamOfSession(teams, session);

  async function choose(name: string) {
    if (!sessionId || !name || name === current?.name) return;
    setBusy(true);
    try {
      const updated = await api.setSessionTeam(sessionId, name);
      setSession(updated);
      shell.sessions.upsert(updated);
      shell.announce(`This chat now uses the team ${name}.`);
    } catch (e) {
      shell.notify(`Couldn't change the team: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <label className="flex min-w-0 items-center gap-1.5 text-sm text-ink-soft">
      <span className="hidden lg:inline">Team</span>
      <select
        data-testid="team-select"
        aria-label="Team of this chat"
        value={current?.name ?? CUSTOM}
        disabled={busy}
        onChange={(e) => void choose(e.target.value)}
        className="h-9 min-w-0 max-w-40 truncate rounded-control border border-line bg-surface px-2 text-sm text-ink shadow-soft focus:border-primary focus:outline-none focus:ring-2 focus:ring-primary-ring disabled:opacity-60 sm:max-w-56"
      >
        {!current && <option value={CUSTOM}>Custom team</option>}
        {teams.map((t) => (
          <option key={t.id} value={t.name}>
            {t.name}
          </option>
        ))}
      </select>
    </label>
  );
}

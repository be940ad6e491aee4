"use client";

import { useEffect, useState } from "react";
import { api } from "@/lib/client/api";
import type { Session, Team } from "@/lib/contract/types";

/** The teams a chat can have, loaded once per component (null until they arrive or if they cannot). */
export function useTeams(): Team[] | null {
  const [teams, setTeams] = useState<Team[] | null>(null);
  useEffect(() => {
    let live = true;
    api.listTeams().then(
      (t) => live && setTeams(t),
      () => live && setTeams([]),
    );
    return () => {
      live = false;
    };
  }, []);
  return teams;
}

/**
 * The team whose members are the session's agents, in order, with their prompt overrides (two
 * teams may share agents: "Research & write" and "Ask the expert"); null: a team tuned by hand.
 */
export function teamOfSession(teams: Team[], session: Session): Team | null {
  const key = (members: { agent: { name: string }; prompt_override: string }[]) =>
    JSON.stringify(members.map((m) => [m.agent.name, m.prompt_override.trim()]));
  const own = key(session.assignments);
  return teams.find((t) => key(t.members) === own) ?? null;
}

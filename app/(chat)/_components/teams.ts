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

/** The team whose members are the session's agents, in order (null: a team tuned by hand). */
export function teamOfSession(teams: Team[], session: Session): Team | null {
  const agents = session.assignments.map((a) => a.agent.name).join("\n");
  return teams.find((t) => t.members.map((m) => m.agent.name).join("\n") === agents) ?? null;
}

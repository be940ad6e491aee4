/**
 * Agent presentation helpers: display names, stable colours and the "who is working" line.
 * Colours are named palette keys; their actual values (light and dark, swatch and readable
 * text) live in app/globals.css as `.agent-tone-<key>` classes.
 */

export type AgentTone = "amber" | "blue" | "teal" | "violet" | "rose" | "emerald" | "indigo" | "orange";

/** Tones for agents other than the two defaults, picked by a hash of the name. */
const OTHER_TONES: AgentTone[] = ["teal", "violet", "rose", "emerald", "indigo", "orange"];

/** FNV-1a, so the same name always gets the same colour on every client. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function agentTone(name: string | null | undefined): AgentTone {
  const n = (name ?? "").trim().toLowerCase();
  if (n === "researcher" || n.startsWith("research")) return "amber";
  if (n === "writer" || n.startsWith("writ")) return "blue";
  if (!n) return "indigo";
  return OTHER_TONES[hashName(n) % OTHER_TONES.length];
}

/** "researcher" → "Researcher", "data_analyst" → "Data analyst"; keeps names that already have capitals. */
export function displayName(name: string | null | undefined): string {
  const n = (name ?? "").trim();
  if (!n) return "Agent";
  const spaced = n.replace(/[_-]+/g, " ");
  if (/[A-Z]/.test(spaced)) return spaced;
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function initials(name: string | null | undefined): string {
  const words = displayName(name).split(/\s+/).filter(Boolean);
  if (words.length >= 2) return (words[0][0] + words[1][0]).toUpperCase();
  return (words[0] ?? "A").slice(0, 1).toUpperCase();
}

export type ActivityPhase = "starting" | "thinking" | "writing" | "tool" | "handoff" | "stopping";

export interface Activity {
  phase: ActivityPhase;
  agent?: string;
  role?: string;
  tool?: string;
}

/** The status line shown while a run is going. */
export function activityText(a: Activity | null): string {
  if (!a) return "";
  const who = a.agent ? displayName(a.agent) : "";
  switch (a.phase) {
    case "starting":
      return "Getting the agents started…";
    case "thinking":
      return who ? `${who} is thinking…` : "Thinking…";
    case "writing":
      return who ? `${who} is writing…` : "Writing…";
    case "tool":
      return who ? `${who} is using ${a.tool ?? "a tool"}…` : `Using ${a.tool ?? "a tool"}…`;
    case "handoff":
      return who ? `${who} is done — passing it on…` : "Passing it on…";
    case "stopping":
      return "Stopping…";
  }
}

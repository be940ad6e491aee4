/**
 * The sidebar's groups: Pinned, then by the day of the last message in the reader's own time
 * zone (Today, Yesterday, Previous 7 days, Previous 30 days), then one group per month.
 */

import type { SidebarSession } from "./sessions";

export interface SessionGroup {
  /** Stable across renders and days ("pinned", "today", "month-2026-10"). */
  key: string;
  label: string;
  sessions: SidebarSession[];
}

/** One row of the flattened list: a group's heading or a chat. */
export type SidebarRow =
  | { kind: "heading"; key: string; label: string }
  | { kind: "session"; key: string; session: SidebarSession };

const monthLabel = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric" });

/** Groups `sessions` (already in the sidebar's order) as of `now`, in the runtime's local time zone. */
export function groupSessions(sessions: readonly SidebarSession[], now: Date): SessionGroup[] {
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  // Midnights by the calendar (not by 24-hour steps), so days with a DST change count as one day.
  const bounds = [
    { key: "today", label: "Today", from: new Date(y, m, d).getTime() },
    { key: "yesterday", label: "Yesterday", from: new Date(y, m, d - 1).getTime() },
    { key: "week", label: "Previous 7 days", from: new Date(y, m, d - 7).getTime() },
    { key: "month", label: "Previous 30 days", from: new Date(y, m, d - 30).getTime() },
  ];
  const groups: SessionGroup[] = [];
  const groupFor = (key: string, label: string) => {
    let g = groups.at(-1);
    if (g?.key !== key) {
      g = groups.find((x) => x.key === key);
      if (!g) {
        g = { key, label, sessions: [] };
        groups.push(g);
      }
    }
    return g;
  };
  for (const s of sessions) {
    if (s.pinned) {
      groupFor("pinned", "Pinned").sessions.push(s);
      continue;
    }
    const at = Date.parse(s.last_message_at);
    const bound = bounds.find((b) => at >= b.from);
    if (bound) {
      groupFor(bound.key, bound.label).sessions.push(s);
      continue;
    }
    const when = new Date(Number.isNaN(at) ? 0 : at);
    groupFor(`month-${when.getFullYear()}-${when.getMonth() + 1}`, monthLabel.format(when)).sessions.push(s);
  }
  return groups;
}

/** The groups as one list of rows: each group's heading, then its chats. */
export function sidebarRows(groups: readonly SessionGroup[]): SidebarRow[] {
  return groups.flatMap((g) => [
    { kind: "heading" as const, key: `h:${g.key}`, label: g.label },
    ...g.sessions.map((session) => ({ kind: "session" as const, key: session.session_id, session })),
  ]);
}

/**
 * The search dialog's results, pure: chats whose title matches (from the sidebar's loaded list)
 * and messages the server found (`GET /api/search/`), as one list of options the reader moves
 * through. Highlights are offsets into plain text, rendered as marks, never as HTML.
 */
import type { SearchResult } from "@/lib/contract/types";
import { sessionLabel } from "./format";
import type { SidebarSession } from "./sessions";

export type SearchOption =
  | { kind: "chat"; key: string; sessionId: string; title: string }
  | { kind: "message"; key: string; sessionId: string; result: SearchResult };

/** Chats listed before the messages, at most. */
const CHATS_SHOWN = 5;

/** The query's words, lowercased (as the title filter and the server read them). */
function words(q: string): string[] {
  return q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Chats whose title holds every word of the query (each as the start of a word or anywhere). */
export function matchingChats(sessions: SidebarSession[], q: string, limit = CHATS_SHOWN): SidebarSession[] {
  const ws = words(q);
  if (!ws.length) return [];
  const hits: SidebarSession[] = [];
  for (const s of sessions) {
    const title = sessionLabel(s.title).toLowerCase();
    if (ws.every((w) => title.includes(w))) hits.push(s);
    if (hits.length >= limit) break;
  }
  return hits;
}

export function searchOptions(chats: SidebarSession[], messages: SearchResult[]): SearchOption[] {
  return [
    ...chats.map(
      (s): SearchOption => ({
        kind: "chat",
        key: `c:${s.session_id}`,
        sessionId: s.session_id,
        title: sessionLabel(s.title),
      }),
    ),
    ...messages.map(
      (r): SearchOption => ({
        kind: "message",
        key: `m:${r.message_id}`,
        sessionId: r.session_id,
        result: r,
      }),
    ),
  ];
}

/** Where an option leads: the chat, or the chat scrolled to the message (`?m=`). */
export function optionHref(o: SearchOption): string {
  const chat = `/c/${encodeURIComponent(o.sessionId)}`;
  return o.kind === "chat" ? chat : `${chat}?m=${o.result.message_id}`;
}

export interface TextPart {
  text: string;
  mark: boolean;
}

/**
 * The snippet cut at its highlights: [start, end) offsets, taken in order, clipped to the text;
 * overlapping or out-of-range ones are dropped, so nothing the server sends can break the text.
 */
export function highlightParts(text: string, highlights: ReadonlyArray<readonly [number, number]>): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  const sorted = [...highlights].sort((a, b) => a[0] - b[0]);
  for (const [rawStart, rawEnd] of sorted) {
    const start = Math.max(at, Math.trunc(rawStart));
    const end = Math.min(text.length, Math.trunc(rawEnd));
    if (!(end > start)) continue;
    if (start > at) parts.push({ text: text.slice(at, start), mark: false });
    parts.push({ text: text.slice(start, end), mark: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), mark: false });
  return parts;
}

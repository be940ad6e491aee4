/** Small formatting helpers shared by the chat UI (and the admin pages, if they like). */

import { withoutBidiControls } from "@/lib/text";

export const DEFAULT_TITLE = "New chat";

/** True when a session still has the placeholder title and may be named after its first message. */
export function isPlaceholderTitle(title: string | null | undefined): boolean {
  const t = (title ?? "").trim();
  return t === "" || t.toLowerCase() === DEFAULT_TITLE.toLowerCase();
}

/** A title from the first ~60 characters of a message, cut at a word boundary. */
export function titleFromMessage(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, "")}…`;
}

/** A stored title as it is safe to show: without bidi controls, trimmed ("" when there is none). */
export function displayTitle(title: string | null | undefined): string {
  return withoutBidiControls(title ?? "").trim();
}

export function sessionLabel(title: string | null | undefined): string {
  return displayTitle(title) || "Untitled chat";
}

function toDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatClock(iso: string | null | undefined): string {
  const d = toDate(iso);
  if (!d) return "";
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function formatFull(iso: string | null | undefined): string {
  const d = toDate(iso);
  if (!d) return "";
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "12 Mar". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  const d = toDate(iso);
  if (!d) return "";
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < 45) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const days = Math.round(h / 24);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  return d.toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function formatTokens(prompt: number | null | undefined, completion: number | null | undefined): string {
  if (prompt == null && completion == null) return "";
  if (prompt != null && completion != null) return `${prompt.toLocaleString()} in · ${completion.toLocaleString()} out`;
  if (prompt != null) return `${prompt.toLocaleString()} in`;
  return `${(completion as number).toLocaleString()} out`;
}

/** Pretty JSON for tool inputs and outputs; strings are shown as they are. */
export function formatJson(v: unknown): string {
  if (v === undefined || v === null) return "—";
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

/** One-line preview of a tool input, e.g. `{"expression": "2+2"}` → `expression: 2+2`. */
export function previewJson(v: unknown, max = 80): string {
  let s: string;
  if (v === undefined || v === null) return "";
  if (typeof v === "string") s = v;
  else if (typeof v === "object" && !Array.isArray(v)) {
    s = Object.entries(v as Record<string, unknown>)
      .map(([k, val]) => `${k}: ${typeof val === "string" ? val : JSON.stringify(val)}`)
      .join(", ");
  } else s = JSON.stringify(v);
  s = s.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

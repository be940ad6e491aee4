"use client";

import { createContext, useContext, useSyncExternalStore } from "react";
import type { SessionsStore } from "@/lib/client/sessions";
import type { SocketInfo } from "@/lib/client/socket";
import type { Session } from "@/lib/contract/types";

export const FOCUS_COMPOSER_EVENT = "tandem:focus-composer";

let composerFocusRequested = false;

/** Asks the composer to take focus now, or as soon as the next one mounts (after navigation). */
export function requestComposerFocus(): void {
  composerFocusRequested = true;
  window.dispatchEvent(new Event(FOCUS_COMPOSER_EVENT));
}

export function consumeComposerFocus(): boolean {
  const r = composerFocusRequested;
  composerFocusRequested = false;
  return r;
}

export interface ShellNotice {
  id: number;
  message: string;
}

export interface ShellContextValue {
  sessions: SessionsStore;
  /** The open conversation's socket, reported by it (null on the home page). */
  setSocket: (info: SocketInfo | null) => void;
  announce: (text: string) => void;
  notify: (message: string) => void;
  /** "New chat": the empty composer at `/`; nothing is stored until its first send. */
  newChat: () => void;
  /** The first send of a new chat: creates the session and opens it; `firstMessage` is sent once the conversation is ready. */
  startChat: (firstMessage: string) => Promise<Session | null>;
  creating: boolean;
  /** The first message queued for a just-created session (read without removing it). */
  peekFirstMessage: (sessionId: string) => string | undefined;
  clearFirstMessage: (sessionId: string) => void;
  openDrawer: () => void;
  closeDrawer: () => void;
  /** Focuses the composer of the current view (after "New chat"). */
  focusComposer: () => void;
}

export const ShellContext = createContext<ShellContextValue | null>(null);

export function useShell(): ShellContextValue {
  const v = useContext(ShellContext);
  if (!v) throw new Error("useShell must be used inside <ChatShell>");
  return v;
}

export function useSessions(store: SessionsStore) {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}

/** Encodes a session id for the `/c/<id>` path. */
export function chatHref(sessionId: string): string {
  return `/c/${encodeURIComponent(sessionId)}`;
}

/** Decodes a route param defensively (Next may hand it over still percent-encoded). */
export function decodeParam(v: string | string[] | undefined): string | null {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return null;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

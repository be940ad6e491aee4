"use client";

import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { CopyIcon, ShareIcon } from "./icons";
import { chatShareLink, type ShareState, shareChat, unshareChat } from "./share-actions";
import { decodeParam } from "./shell-context";

const buttonLook =
  "inline-flex h-9 items-center justify-center gap-1.5 rounded-control border border-line bg-surface text-sm font-medium text-ink-soft hover:bg-subtle hover:text-ink disabled:opacity-60";
const button = `${buttonLook} px-2.5`;

const UNREACHABLE = "The server could not be reached.";

/** The server actions take a form (lib/api/edge.ts wants actions multipart). */
function formOf(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

/**
 * "Share" for the open chat (with accounts): a small panel that makes the chat's read-only link
 * (`/s/<token>`, readable signed out), copies it, and stops it working. Nothing shows off a chat
 * page. Esc closes it and gives focus back; so does a click elsewhere.
 */
export function ShareMenu() {
  const match = /^\/c\/([^/]+)/.exec(usePathname() ?? "");
  const sessionId = decodeParam(match?.[1]);
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<ShareState | null>(null);
  const [note, setNote] = useState("");
  const [pending, setPending] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open || !sessionId) return;
    setState(null);
    setNote("");
    void chatShareLink(formOf({ session_id: sessionId })).then(setState, () => setState({ error: UNREACHABLE }));
    const away = (e: PointerEvent) => {
      if (!panel.current?.contains(e.target as Node) && !toggle.current?.contains(e.target as Node)) setOpen(false);
    };
    // On the document: after a button inside is replaced (create, stop), focus is on the body.
    const onEscape = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener("pointerdown", away);
    document.addEventListener("keydown", onEscape);
    return () => {
      document.removeEventListener("pointerdown", away);
      document.removeEventListener("keydown", onEscape);
    };
  }, [open, sessionId]);

  if (!sessionId) return null;
  const link = state && "link" in state ? state.link : null;
  const url = link ? `${window.location.origin}/s/${link.token}` : "";

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setNote("Link copied.");
    } catch {
      setNote("Copy the link from the box.");
    }
  }
  async function run(work: () => Promise<ShareState>, then?: (s: ShareState) => Promise<void>) {
    setPending(true);
    setNote("");
    try {
      const next = await work();
      setState(next);
      await then?.(next);
    } catch {
      setState({ error: UNREACHABLE });
    } finally {
      setPending(false);
    }
  }
  const create = () =>
    run(
      () => shareChat(formOf({ session_id: sessionId })),
      async (s) => {
        if ("link" in s && s.link) await copy(`${window.location.origin}/s/${s.link.token}`);
      },
    );
  const revoke = () =>
    link &&
    run(
      () => unshareChat(formOf({ session_id: sessionId, id: String(link.id) })),
      async (s) => setNote("link" in s && !s.link ? "The link no longer works." : ""),
    );

  return (
    <div className="relative">
      <button
        ref={toggle}
        type="button"
        data-testid="share-button"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((o) => !o)}
        className={`${buttonLook} min-w-9 px-2 sm:px-2.5`}
      >
        <ShareIcon size={16} className="sm:hidden" />
        <span className="sr-only sm:not-sr-only">Share</span>
      </button>
      {open && (
        <div
          ref={panel}
          id={panelId}
          role="dialog"
          aria-label="Share this chat"
          data-testid="share-panel"
          // On a phone's width the button sits too far left for a panel hung from its right edge:
          // there the panel spans the screen under the header.
          className="fixed inset-x-2 top-14 z-30 mt-1 space-y-3 rounded-card border border-line bg-surface p-3 shadow-pop sm:absolute sm:inset-x-auto sm:right-0 sm:top-full sm:w-80"
        >
          <p className="text-sm text-ink-soft">Anyone with the link can read this chat, without signing in.</p>
          {state === null ? (
            <p className="text-sm text-muted">Loading…</p>
          ) : link ? (
            <>
              <label className="block text-sm font-medium text-ink" htmlFor={`${panelId}-url`}>
                Read-only link
              </label>
              <div className="flex gap-2">
                <input
                  id={`${panelId}-url`}
                  data-testid="share-url"
                  readOnly
                  value={url}
                  onFocus={(e) => e.currentTarget.select()}
                  className="min-w-0 flex-1 rounded-control border border-line-strong bg-surface px-2 py-1.5 text-sm text-ink"
                />
                <button
                  type="button"
                  data-testid="share-copy"
                  onClick={() => copy(url)}
                  className={button}
                  aria-label="Copy link"
                >
                  <CopyIcon size={16} />
                </button>
              </div>
              <button type="button" data-testid="share-stop" onClick={revoke} disabled={pending} className={button}>
                Stop sharing
              </button>
            </>
          ) : (
            <button
              type="button"
              data-testid="share-link-create"
              onClick={create}
              disabled={pending}
              className={button}
              autoFocus
            >
              Create and copy link
            </button>
          )}
          <p role="status" data-testid="share-note" className="text-sm text-ink-soft">
            {state?.error ?? note}
          </p>
        </div>
      )}
    </div>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { agentTone, displayName } from "@/lib/client/agents";
import { api, describeError } from "@/lib/client/api";
import { sessionLabel } from "@/lib/client/format";
import { highlightParts, matchingChats, optionHref, type SearchOption, searchOptions } from "@/lib/client/search";
import type { SessionsStore } from "@/lib/client/sessions";
import type { SearchResult } from "@/lib/contract/types";
import { ChatIcon, CloseIcon, SearchIcon } from "./icons";
import { useSessions } from "./shell-context";

/** How long typing pauses before the server is asked. */
const DEBOUNCE_MS = 180;

type Found = { q: string; results: SearchResult[]; error: string | null };

/**
 * Ctrl/Cmd+K: search chats by title and every message by its words. A modal <dialog> (the page
 * behind is inert, focus stays inside); the field is a combobox that owns a listbox, ↑/↓ move
 * through the results, Enter opens one (a message: its chat, scrolled to it), Esc closes and
 * focus goes back where it was.
 */
export function SearchDialog({
  open,
  onClose,
  sessions,
}: {
  open: boolean;
  onClose: () => void;
  sessions: SessionsStore;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const navigated = useRef(false);
  const titleId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      navigated.current = false;
      returnTo.current = document.activeElement as HTMLElement | null;
      d.showModal();
    } else if (!open && d.open) {
      d.close();
      // After opening a result, focus belongs to the chat it opened.
      if (!navigated.current) returnTo.current?.focus();
    }
  }, [open]);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click only catches the backdrop of the modal dialog; its keyboard equivalent is Escape, handled natively (onCancel).
    <dialog
      ref={ref}
      className="modal search-modal"
      data-testid="search-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      {open && (
        <SearchPanel
          titleId={titleId}
          sessions={sessions}
          onClose={onClose}
          onOpened={() => {
            navigated.current = true;
            onClose();
          }}
        />
      )}
    </dialog>
  );
}

function SearchPanel({
  titleId,
  sessions,
  onClose,
  onOpened,
}: {
  titleId: string;
  sessions: SessionsStore;
  onClose: () => void;
  onOpened: () => void;
}) {
  const router = useRouter();
  const loaded = useSessions(sessions).sessions;
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Found>({ q: "", results: [], error: null });
  const [active, setActive] = useState(0);
  const listId = useId();
  const statusId = useId();
  const optionId = (i: number) => `${listId}-o${i}`;
  const query = q.trim();

  // Debounced: the server is asked once typing pauses; a newer query aborts the older request.
  useEffect(() => {
    if (!query) return;
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      api
        .search(query, { signal: ctrl.signal })
        .then((results) => setFound({ q: query, results, error: null }))
        .catch((e) => {
          if (!ctrl.signal.aborted) setFound({ q: query, results: [], error: describeError(e) });
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [query]);

  const chats = useMemo(() => matchingChats(loaded, query), [loaded, query]);
  const current = found.q === query;
  const options = useMemo(
    () => (query ? searchOptions(chats, current ? found.results : []) : []),
    [query, chats, current, found.results],
  );
  const at = Math.min(active, Math.max(0, options.length - 1));
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query starts at the first result.
  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    if (options.length) document.getElementById(optionId(at))?.scrollIntoView({ block: "nearest" });
  });

  function openOption(o: SearchOption | undefined) {
    if (!o) return;
    onOpened();
    router.push(optionHref(o));
  }

  const status = !query
    ? "Type to search chat titles and messages."
    : !current
      ? "Searching…"
      : found.error
        ? `Couldn't search messages: ${found.error}`
        : options.length === 0
          ? "No chats or messages match."
          : `${options.length} ${options.length === 1 ? "result" : "results"}`;
  const chatOptions = options.filter((o) => o.kind === "chat");
  const messageOptions = options.filter((o) => o.kind === "message");

  return (
    <div className="flex max-h-[min(36rem,80dvh)] flex-col">
      <div className="flex items-center gap-2 border-b border-line px-3 py-2">
        <SearchIcon size={18} className="shrink-0 text-muted" />
        <h2 id={titleId} className="sr-only">
          Search chats and messages
        </h2>
        <input
          autoFocus
          type="text"
          role="combobox"
          aria-labelledby={titleId}
          aria-expanded={options.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={options.length ? optionId(at) : undefined}
          aria-describedby={statusId}
          data-testid="search-input"
          placeholder="Search chats and messages…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              if (!options.length) return;
              const step = e.key === "ArrowDown" ? 1 : -1;
              setActive((at + step + options.length) % options.length);
            } else if (e.key === "Enter") {
              e.preventDefault();
              openOption(options[at]);
            }
          }}
          className="h-10 min-w-0 flex-1 bg-transparent text-[0.9375rem] text-ink placeholder:text-muted focus:outline-none"
        />
        <button
          type="button"
          data-testid="search-close"
          onClick={onClose}
          aria-label="Close search"
          className="rounded-control p-1 text-ink-soft hover:bg-subtle hover:text-ink"
        >
          <CloseIcon size={18} />
        </button>
      </div>
      {/* The listbox stays in the page (empty) so the combobox always controls an element. */}
      <div
        id={listId}
        role="listbox"
        aria-label="Search results"
        data-testid="search-results"
        className="min-h-0 flex-1 overflow-y-auto p-1.5 empty:hidden"
      >
        {chatOptions.length > 0 && (
          <Group label="Chats">
            {chatOptions.map((o) => {
              const i = options.indexOf(o);
              return (
                <Option key={o.key} id={optionId(i)} o={o} selected={i === at} onPick={() => openOption(o)}>
                  <ChatIcon size={16} className="mt-0.5 shrink-0 text-muted" />
                  <span className="min-w-0 flex-1 truncate font-medium text-ink">{o.kind === "chat" && o.title}</span>
                </Option>
              );
            })}
          </Group>
        )}
        {messageOptions.length > 0 && (
          <Group label="Messages">
            {messageOptions.map((o) => {
              const i = options.indexOf(o);
              return (
                <Option key={o.key} id={optionId(i)} o={o} selected={i === at} onPick={() => openOption(o)}>
                  {o.kind === "message" && <MessageHit r={o.result} />}
                </Option>
              );
            })}
          </Group>
        )}
      </div>
      <p
        id={statusId}
        role="status"
        data-testid="search-status"
        className="border-t border-line px-3 py-2 text-xs text-ink-soft"
      >
        {status}
        <span className="hidden sm:inline"> · ↑↓ to move, Enter to open, Esc to close</span>
      </p>
    </div>
  );
}

function Group({ label, children }: { label: string; children: React.ReactNode }) {
  const id = useId();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a listbox's group of options (ARIA), not a form's fieldset.
    <div role="group" aria-labelledby={id} className="py-1">
      <div id={id} role="presentation" className="px-2 pb-1 pt-1.5 text-[11px] font-semibold uppercase text-muted">
        {label}
      </div>
      {children}
    </div>
  );
}

function Option({
  id,
  o,
  selected,
  onPick,
  children,
}: {
  id: string;
  o: SearchOption;
  selected: boolean;
  onPick: () => void;
  children: React.ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: options are reached from the combobox (aria-activedescendant): ↑/↓ and Enter there.
    <div
      id={id}
      role="option"
      aria-selected={selected}
      tabIndex={-1}
      data-testid="search-option"
      data-kind={o.kind}
      data-session-id={o.sessionId}
      data-message-id={o.kind === "message" ? o.result.message_id : undefined}
      data-agent={o.kind === "message" ? (o.result.agent ?? undefined) : undefined}
      data-role={o.kind === "message" ? o.result.role : undefined}
      // Keep focus in the field: a click must not blur the combobox before it opens the result.
      onMouseDown={(e) => e.preventDefault()}
      onClick={onPick}
      className={`flex cursor-pointer items-start gap-2.5 rounded-control px-2 py-2 text-sm ${selected ? "bg-primary-soft ring-1 ring-primary/40" : "hover:bg-subtle"}`}
    >
      {children}
    </div>
  );
}

function MessageHit({ r }: { r: SearchResult }) {
  const who = r.role === "user" ? "You" : displayName(r.agent ?? r.role);
  return (
    <span className="flex min-w-0 flex-1 flex-col gap-0.5">
      <span className="flex min-w-0 items-baseline gap-2 text-xs">
        {r.role === "user" ? (
          <span className="shrink-0 font-semibold text-ink">{who}</span>
        ) : (
          <span
            className={`tone-${agentTone(r.agent ?? "")} shrink-0 font-semibold`}
            style={{ color: "var(--tone-ink)" }}
          >
            {who}
          </span>
        )}
        <span className="min-w-0 truncate text-ink-soft">in {sessionLabel(r.session_title)}</span>
      </span>
      {/* Plain text cut at the server's offsets: what the server sends is never read as HTML. */}
      <span data-testid="search-snippet" className="line-clamp-2 text-ink">
        {highlightParts(r.snippet, r.highlights).map((p, i) =>
          p.mark ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: parts of one fixed string, in order.
            <mark key={i} className="rounded-[3px] bg-secondary-soft px-0.5 font-semibold text-ink">
              {p.text}
            </mark>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: parts of one fixed string, in order.
            <span key={i}>{p.text}</span>
          ),
        )}
      </span>
    </span>
  );
}

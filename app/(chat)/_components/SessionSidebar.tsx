"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { memo, type RefObject, useEffect, useId, useMemo, useRef, useState } from "react";
import { describeError } from "@/lib/client/api";
import { formatFull, formatRelative, sessionLabel } from "@/lib/client/format";
import { SESSIONS_FILTER_PAGE_SIZE, type SidebarSession } from "@/lib/client/sessions";
import { groupSessions, type SidebarRow, sidebarRows } from "@/lib/client/sidebar-groups";
import { ConfirmDialog } from "./ConfirmDialog";
import { ImportChats } from "./ImportChats";
import { ChatIcon, CloseIcon, PencilIcon, PinIcon, PlusIcon, RefreshIcon, SearchIcon, TrashIcon } from "./icons";
import { SessionListSkeleton } from "./Skeletons";
import { chatHref, useSessions, useShell } from "./shell-context";

/** Lists longer than this many rows render only the rows in view (and a few around them). */
const VIRTUALIZE_AFTER = 300;

/** Re-render every `ms` so relative times ("5 min ago") stay true. */
function useNow(ms = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function SessionSidebar({
  currentId,
  inDrawer = false,
  onClose,
}: {
  currentId: string | null;
  inDrawer?: boolean;
  onClose?: () => void;
}) {
  const shell = useShell();
  const router = useRouter();
  const snap = useSessions(shell.sessions);
  const [filter, setFilter] = useState("");
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<SidebarSession | null>(null);
  const listRegion = useRef<HTMLDivElement>(null);
  const [deleting, setDeleting] = useState(false);
  const returnFocus = useRef<HTMLElement | null>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const filterId = useId();
  const now = useNow();

  const query = filter.trim();
  const visible = useMemo(() => {
    const q = query.toLowerCase();
    if (!q) return snap.sessions;
    return snap.sessions.filter((s) => sessionLabel(s.title).toLowerCase().includes(q));
  }, [snap.sessions, query]);
  const rows = useMemo(() => sidebarRows(groupSessions(visible, new Date(now))), [visible, now]);

  async function togglePin(s: SidebarSession) {
    try {
      await shell.sessions.setPinned(s.session_id, !s.pinned);
      shell.announce(s.pinned ? `Unpinned “${sessionLabel(s.title)}”.` : `Pinned “${sessionLabel(s.title)}”.`);
    } catch (e) {
      shell.notify(`Couldn't ${s.pinned ? "unpin" : "pin"} the chat: ${describeError(e)}`);
    }
  }

  async function rename(s: SidebarSession, title: string) {
    setRenaming(null);
    const t = title.trim();
    if (!t || t === s.title) return;
    try {
      await shell.sessions.rename(s.session_id, t.slice(0, 200));
    } catch (e) {
      shell.notify(`Couldn't rename the chat: ${describeError(e)}`);
    }
  }

  async function confirmDelete() {
    const s = confirming;
    if (!s) return;
    setDeleting(true);
    try {
      await shell.sessions.remove(s.session_id);
      shell.announce(`Deleted “${sessionLabel(s.title)}”.`);
      setConfirming(null);
      if (s.session_id === currentId) router.push("/");
      // The item is gone: put focus somewhere sensible.
      requestAnimationFrame(() => filterRef.current?.focus());
    } catch (e) {
      setConfirming(null);
      shell.notify(`Couldn't delete the chat: ${describeError(e)}`);
      requestAnimationFrame(() => returnFocus.current?.focus());
    } finally {
      setDeleting(false);
    }
  }

  const unreachableBox = (
    <div
      data-testid="sessions-unreachable"
      role="alert"
      className="mx-3 rounded-card border border-secondary/40 bg-secondary-soft p-3.5 text-sm"
    >
      <p className="font-medium text-ink">Can&apos;t reach the Tandem server — retrying</p>
      <p className="mt-1 text-ink-soft">Your chats will appear as soon as it answers.</p>
      <button
        type="button"
        onClick={() => void shell.sessions.refresh()}
        className="mt-2.5 inline-flex h-8 items-center gap-1.5 rounded-control border border-line bg-surface px-2.5 text-xs font-medium text-ink hover:bg-subtle"
      >
        <RefreshIcon size={14} /> Retry now
      </button>
    </div>
  );

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid={inDrawer ? "drawer-sidebar" : "sidebar-content"}>
      <div className="flex items-center justify-between gap-2 px-4 pb-2 pt-4">
        <h2 className="text-xs font-semibold uppercase tracking-[0.08em] text-muted">Chats</h2>
        <div className="flex items-center gap-1">
          {inDrawer && (
            <>
              <button
                type="button"
                onClick={() => {
                  onClose?.();
                  shell.newChat();
                }}
                className="inline-flex h-8 items-center gap-1 rounded-control px-2 text-xs font-medium text-primary-ink hover:bg-primary-soft"
              >
                <PlusIcon size={15} /> New
              </button>
              <button
                type="button"
                data-testid="drawer-close"
                onClick={onClose}
                aria-label="Close chats"
                className="inline-flex h-8 w-8 items-center justify-center rounded-control text-ink-soft hover:bg-subtle hover:text-ink"
              >
                <CloseIcon size={18} />
              </button>
            </>
          )}
        </div>
      </div>
      <div className="px-3 pb-2">
        <label htmlFor={filterId} className="sr-only">
          Filter chats by title
        </label>
        <div className="relative">
          <SearchIcon size={16} className="pointer-events-none absolute left-2.5 top-1/2 -translate-y-1/2 text-muted" />
          <input
            ref={filterRef}
            id={filterId}
            type="search"
            data-testid="session-filter"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && filter) {
                e.stopPropagation();
                e.preventDefault();
                setFilter("");
              }
            }}
            placeholder="Filter chats"
            autoComplete="off"
            className="h-9 w-full rounded-control border border-line bg-page pl-8 pr-2.5 text-sm text-ink placeholder:text-muted focus:border-primary focus:bg-surface focus:outline-none focus:ring-2 focus:ring-primary-ring"
          />
        </div>
      </div>

      <div
        ref={listRegion}
        className="scroll-calm min-h-0 flex-1 overflow-y-auto pb-4"
        data-testid="session-list-region"
      >
        {!snap.loaded && snap.status === "loading" && <SessionListSkeleton />}
        {!snap.loaded && snap.status === "unreachable" && unreachableBox}
        {!snap.loaded && snap.status === "error" && (
          <div
            role="alert"
            data-testid="sessions-error"
            className="mx-3 rounded-card border border-danger/30 bg-danger-soft p-3.5 text-sm"
          >
            <p className="font-medium text-danger-ink">Couldn&apos;t load your chats</p>
            <p className="mt-1 text-ink-soft">{snap.error}</p>
            <button
              type="button"
              onClick={() => void shell.sessions.refresh()}
              className="mt-2.5 inline-flex h-8 items-center gap-1.5 rounded-control border border-line bg-surface px-2.5 text-xs font-medium text-ink hover:bg-subtle"
            >
              <RefreshIcon size={14} /> Try again
            </button>
          </div>
        )}
        {snap.loaded && snap.status === "unreachable" && (
          <p
            data-testid="sessions-stale"
            className="mx-3 mb-2 rounded-control bg-secondary-soft px-3 py-2 text-xs text-secondary-ink"
          >
            Can&apos;t reach the Tandem server — retrying. Showing the last list.
          </p>
        )}
        {snap.loaded && snap.sessions.length === 0 && (
          <div
            data-testid="sessions-empty"
            className="mx-3 mt-2 rounded-card border border-dashed border-line-strong p-4 text-center text-sm"
          >
            <ChatIcon size={22} className="mx-auto text-muted" />
            <p className="mt-2 font-medium text-ink">No chats yet</p>
            <p className="mt-1 text-muted">Ask something to start one, or press New chat.</p>
          </div>
        )}
        {snap.loaded && snap.sessions.length > 0 && visible.length === 0 && (
          <p data-testid="sessions-no-match" className="px-4 py-3 text-sm text-muted">
            No chats match “{query}”.
          </p>
        )}
        {visible.length > 0 && (
          <nav aria-label={inDrawer ? "Chats (drawer)" : "Chats list"} data-testid="session-list">
            <SessionRows
              rows={rows}
              region={listRegion}
              render={(row) =>
                row.kind === "heading" ? (
                  <h3 data-testid="session-group" className="px-3 pb-1 pt-3 text-xs font-semibold text-ink-soft">
                    {row.label}
                  </h3>
                ) : (
                  <SessionItem
                    session={row.session}
                    active={row.session.session_id === currentId}
                    now={now}
                    renaming={renaming === row.session.session_id}
                    onStartRename={() => setRenaming(row.session.session_id)}
                    onRename={(t) => void rename(row.session, t)}
                    onCancelRename={() => setRenaming(null)}
                    onTogglePin={() => void togglePin(row.session)}
                    onDelete={(el) => {
                      returnFocus.current = el;
                      setConfirming(row.session);
                    }}
                    onNavigate={onClose}
                  />
                )
              }
            />
          </nav>
        )}
        {snap.loaded && snap.hasMore && (
          <LoadMore
            region={listRegion}
            busy={snap.loadingMore || snap.refreshing}
            onLoad={() => void shell.sessions.loadMore(query ? SESSIONS_FILTER_PAGE_SIZE : undefined)}
          />
        )}
      </div>
      <ImportChats />

      <ConfirmDialog
        open={!!confirming}
        title="Delete this chat?"
        body={
          <>
            <span className="font-medium text-ink">“{sessionLabel(confirming?.title)}”</span> and all its messages will
            be removed for good.
          </>
        }
        confirmLabel="Delete"
        busy={deleting}
        onConfirm={() => void confirmDelete()}
        onCancel={() => {
          setConfirming(null);
          requestAnimationFrame(() => returnFocus.current?.focus());
        }}
      />
    </div>
  );
}

/**
 * The rows, each group's heading (a real heading, for screen readers' heading navigation) and then
 * its chats. Past VIRTUALIZE_AFTER rows only the rows in view of `region` are in the page.
 */
function SessionRows({
  rows,
  region,
  render,
}: {
  rows: SidebarRow[];
  region: RefObject<HTMLElement | null>;
  render: (row: SidebarRow) => React.ReactNode;
}) {
  const list = useRef<HTMLDivElement>(null);
  const virtual = rows.length > VIRTUALIZE_AFTER;
  const virtualizer = useVirtualizer({
    count: rows.length,
    enabled: virtual,
    getScrollElement: () => region.current,
    estimateSize: (i) => (rows[i]?.kind === "heading" ? 36 : 56),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 12,
    // Where the list starts inside the scrolling region (notices may sit above it).
    scrollMargin: list.current?.offsetTop ?? 0,
  });
  if (!virtual) {
    return (
      <div className="px-2">
        {rows.map((row) => (
          <div key={row.key}>{render(row)}</div>
        ))}
      </div>
    );
  }
  const margin = virtualizer.options.scrollMargin;
  return (
    <div ref={list} className="relative px-2" style={{ height: virtualizer.getTotalSize() }}>
      {virtualizer.getVirtualItems().map((item) => (
        <div
          key={item.key}
          data-index={item.index}
          ref={virtualizer.measureElement}
          className="absolute inset-x-2 top-0"
          style={{ transform: `translateY(${item.start - margin}px)` }}
        >
          {render(rows[item.index])}
        </div>
      ))}
    </div>
  );
}

/**
 * The end of the loaded list: the next page loads as it scrolls into view (IntersectionObserver,
 * which also keeps loading while a filter leaves the list short); the button is the fallback.
 */
function LoadMore({
  region,
  busy,
  onLoad,
}: {
  region: RefObject<HTMLElement | null>;
  busy: boolean;
  onLoad: () => void;
}) {
  const sentinel = useRef<HTMLButtonElement>(null);
  const load = useRef(onLoad);
  load.current = onLoad;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || busy || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && load.current(), {
      root: region.current,
      rootMargin: "0px 0px 200px 0px",
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [region, busy]);
  return (
    <div className="px-3 pt-2">
      <button
        ref={sentinel}
        type="button"
        data-testid="sessions-load-more"
        onClick={onLoad}
        disabled={busy}
        className="inline-flex h-8 w-full items-center justify-center rounded-control text-xs font-medium text-ink-soft hover:bg-subtle hover:text-ink disabled:opacity-60"
      >
        {busy ? "Loading…" : "Load more chats"}
      </button>
    </div>
  );
}

const SessionItem = memo(function SessionItem(props: {
  session: SidebarSession;
  active: boolean;
  now: number;
  renaming: boolean;
  onStartRename: () => void;
  onRename: (title: string) => void;
  onCancelRename: () => void;
  onTogglePin: () => void;
  onDelete: (returnFocusTo: HTMLElement) => void;
  onNavigate?: () => void;
}) {
  const { session: s, active } = props;
  const label = sessionLabel(s.title);
  const renameBtn = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const done = useRef(false);

  useEffect(() => {
    if (props.renaming) {
      done.current = false;
      inputRef.current?.focus();
      inputRef.current?.select();
    }
  }, [props.renaming]);

  if (props.renaming) {
    const finish = (save: boolean) => {
      if (done.current) return;
      done.current = true;
      if (save) props.onRename(inputRef.current?.value ?? "");
      else props.onCancelRename();
      requestAnimationFrame(() => renameBtn.current?.focus());
    };
    return (
      <div
        data-testid="session-item"
        data-session-id={s.session_id}
        className="my-px rounded-control bg-primary-soft px-2 py-1.5"
      >
        <label className="sr-only" htmlFor={`rename-${s.session_id}`}>
          New title for “{label}”
        </label>
        <input
          ref={inputRef}
          id={`rename-${s.session_id}`}
          data-testid="session-rename-input"
          defaultValue={s.title}
          maxLength={200}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              finish(true);
            } else if (e.key === "Escape") {
              e.preventDefault();
              e.stopPropagation();
              finish(false);
            }
          }}
          onBlur={() => finish(true)}
          className="h-8 w-full rounded-[8px] border border-primary bg-surface px-2 text-sm text-ink focus:outline-none focus:ring-2 focus:ring-primary-ring"
        />
        <p className="mt-1 px-0.5 text-[11px] text-ink-soft">Enter to save · Esc to cancel</p>
      </div>
    );
  }

  return (
    <div
      data-testid="session-item"
      data-session-id={s.session_id}
      data-active={active || undefined}
      data-pinned={s.pinned || undefined}
      className={`group relative my-px flex items-center rounded-control transition-colors ${
        active ? "bg-primary-soft" : "hover:bg-subtle"
      }`}
    >
      {active && <span className="absolute inset-y-2 left-0 w-[3px] rounded-full bg-primary" aria-hidden />}
      <Link
        href={chatHref(s.session_id)}
        data-testid="session-link"
        aria-current={active ? "page" : undefined}
        onClick={props.onNavigate}
        onKeyDown={(e) => {
          // P on a focused chat pins or unpins it (the pin button does the same by mouse).
          if (e.key.toLowerCase() === "p" && !e.ctrlKey && !e.metaKey && !e.altKey) {
            e.preventDefault();
            props.onTogglePin();
          }
        }}
        aria-keyshortcuts="P"
        className="min-w-0 flex-1 rounded-control py-2 pl-3 pr-1"
        title={label}
      >
        <span
          data-testid="session-title"
          className={`block truncate text-sm ${active ? "font-semibold text-ink" : "font-medium text-ink"}`}
        >
          {label}
        </span>
        <span
          className={`block truncate text-xs ${active ? "text-ink-soft" : "text-muted group-hover:text-ink-soft"}`}
          title={formatFull(s.last_message_at)}
        >
          {formatRelative(s.last_message_at, props.now)}
        </span>
      </Link>
      <div className="flex shrink-0 items-center gap-0.5 pr-1.5 opacity-0 transition-opacity group-hover:opacity-100 group-focus-within:opacity-100 group-data-[active]:opacity-100 group-data-[pinned]:opacity-100 [@media(hover:none)]:opacity-100">
        <button
          type="button"
          data-testid="session-pin-button"
          onClick={props.onTogglePin}
          aria-pressed={s.pinned}
          aria-label={`Pin “${label}”`}
          title={s.pinned ? "Unpin (P)" : "Pin (P)"}
          className={`inline-flex h-7 w-7 items-center justify-center rounded-[8px] hover:bg-surface hover:text-ink ${
            s.pinned ? "text-primary-ink" : "text-ink-soft"
          }`}
        >
          <PinIcon size={15} />
        </button>
        <button
          ref={renameBtn}
          type="button"
          data-testid="session-rename-button"
          onClick={props.onStartRename}
          aria-label={`Rename “${label}”`}
          className="inline-flex h-7 w-7 items-center justify-center rounded-[8px] text-ink-soft hover:bg-surface hover:text-ink"
        >
          <PencilIcon size={15} />
        </button>
        <button
          type="button"
          data-testid="session-delete-button"
          onClick={(e) => props.onDelete(e.currentTarget)}
          aria-label={`Delete “${label}”`}
          className="inline-flex h-7 w-7 items-center justify-center rounded-[8px] text-ink-soft hover:bg-danger-soft hover:text-danger-ink"
        >
          <TrashIcon size={15} />
        </button>
      </div>
    </div>
  );
});

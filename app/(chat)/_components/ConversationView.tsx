"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { type Activity, activityText, agentTone, displayName } from "@/lib/client/agents";
import { type ConversationSnapshot, ConversationStore } from "@/lib/client/conversation";
import { sessionLabel } from "@/lib/client/format";
import { Composer, type ComposerHandle } from "./Composer";
import { AlertIcon, CloseIcon, RefreshIcon } from "./icons";
import { type ChatActions, ChatActionsContext } from "./MessageActions";
import { MessageList, type MessageListHandle } from "./MessageList";
import { QueueList } from "./QueueList";
import { HistorySkeleton } from "./Skeletons";
import { useShell } from "./shell-context";
import { AgentsIntro } from "./Welcome";

const noop = () => () => {};

function useConversation(store: ConversationStore | null): ConversationSnapshot | null {
  return useSyncExternalStore(
    store ? store.subscribe : noop,
    () => (store ? store.getSnapshot() : null),
    () => null,
  );
}

function draftKey(sessionId: string) {
  return `tandem:draft:${sessionId}`;
}

function readDraft(sessionId: string): string {
  try {
    return sessionStorage.getItem(draftKey(sessionId)) ?? "";
  } catch {
    return "";
  }
}

function writeDraft(sessionId: string, v: string) {
  try {
    if (v) sessionStorage.setItem(draftKey(sessionId), v);
    else sessionStorage.removeItem(draftKey(sessionId));
  } catch {
    /* private mode: the draft just isn't kept across reloads */
  }
}

export function ConversationView({ sessionId }: { sessionId: string }) {
  const shell = useShell();
  const [store, setStore] = useState<ConversationStore | null>(null);
  const snap = useConversation(store);
  const [draft, setDraftState] = useState("");
  const draftRef = useRef("");
  draftRef.current = draft;
  const list = useRef<MessageListHandle>(null);
  const composer = useRef<ComposerHandle>(null);
  const shellRef = useRef(shell);
  shellRef.current = shell;
  // `?m=<message id>`: a search result's message, scrolled to and highlighted once shown.
  const target = Number(useSearchParams().get("m")) || null;

  // One store per session; survives nothing but this view (a new session remounts the view).
  useEffect(() => {
    const sh = shellRef.current;
    const s = new ConversationStore(sessionId, {
      onSessionUpdated: (session) => shellRef.current.sessions.upsert(session),
      onSessionDeleted: (id) => shellRef.current.sessions.forget(id),
      onMessageStored: (at) => shellRef.current.sessions.touch(sessionId, at),
      onAnnounce: (t) => shellRef.current.announce(t),
    });
    const first = sh.peekFirstMessage(sessionId);
    s.start(first);
    setStore(s);
    setDraftState(first ? "" : readDraft(sessionId));
    const unsub = s.subscribe(() => {
      const st = s.getSnapshot();
      shellRef.current.setSocket(st.socket);
      // The queued first message is handed over once the store has sent it (or failed to).
      if (first && (st.items.some((m) => m.role === "user") || st.sendError))
        shellRef.current.clearFirstMessage(sessionId);
    });
    return () => {
      unsub();
      s.dispose();
      sh.setSocket(null);
    };
  }, [sessionId]);

  const setDraft = (v: string) => {
    setDraftState(v);
    writeDraft(sessionId, v);
  };

  // A failed send puts its text back when the box is empty (e.g. the queued first message).
  const failed = snap?.sendError?.content;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs only when a send fails; with draft as a dependency, clearing the box would put the failed text back again.
  useEffect(() => {
    if (failed && !draft) setDraftState(failed);
  }, [failed]);

  const title = snap?.title ?? "";
  useEffect(() => {
    document.title = title ? `${sessionLabel(title)} · Tandem` : "Tandem";
    return () => {
      document.title = "Tandem";
    };
  }, [title]);

  async function send(text = draft, steer = false) {
    if (!store) return;
    list.current?.stickToBottom();
    const ok = await store.send(text, { steer });
    // Clear only what was sent: the reader may have started the next message meanwhile.
    if (ok && draftRef.current === text) setDraft("");
    if (ok) composer.current?.focus();
  }

  // Esc stops the run, unless something else (a dialog, a field's own Esc) has taken the key.
  const running0 = !!snap?.run;
  useEffect(() => {
    if (!store || !running0) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented || document.querySelector("dialog[open]")) return;
      e.preventDefault();
      void store.cancel();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store, running0]);

  const actions = useMemo<ChatActions | null>(
    () =>
      store && {
        rate: (id, rating) => void store.rate(id, rating),
        startEdit: (id) => store.startEdit(id),
        cancelEdit: () => {
          store.cancelEdit();
          composer.current?.focus();
        },
        saveEdit: (id, content) => store.edit(id, content),
        rerun: (action, runId) => void store.rerun(action, runId),
        select: (runId) => void store.select(runId),
        toggleWork: (turn, open) => store.toggleWork(turn, open),
      },
    [store],
  );

  if (snap && (snap.phase === "not_found" || snap.phase === "deleted")) {
    return <Gone deleted={snap.phase === "deleted"} />;
  }

  const loading = !snap || (snap.phase === "loading" && snap.items.length === 0);
  const running = running0;
  const answerer = [...(snap?.assignments ?? [])].sort((a, b) => a.order - b.order).at(-1)?.agent ?? null;
  const serverDown =
    !!snap &&
    (!!snap.loadError ||
      ((snap.socket.status === "reconnecting" || snap.socket.status === "offline") && snap.socket.attempt >= 2));

  return (
    <div
      className="flex min-h-0 flex-1 flex-col"
      data-testid="conversation"
      data-session-id={sessionId}
      data-running={running || undefined}
      data-phase={loading ? "loading" : snap?.phase}
    >
      <ConversationHeader title={title} loading={loading} assignments={snap?.assignments ?? []} />

      {serverDown && snap && <ServerDownBanner snap={snap} onRetry={() => store?.retryNow()} />}
      {snap?.notices.map((n) => (
        <div key={n.id} className="mx-auto mt-3 w-full max-w-3xl px-3 sm:px-5">
          <div
            role="alert"
            data-testid="error-banner"
            className="flex items-start gap-3 rounded-card border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-ink"
          >
            <AlertIcon size={18} className="mt-0.5 shrink-0 text-danger-ink" />
            <p className="min-w-0 flex-1">{n.message}</p>
            <button
              type="button"
              data-testid="error-dismiss"
              onClick={() => store?.dismissNotice(n.id)}
              aria-label="Dismiss"
              className="-m-1 rounded-control p-1 text-ink-soft hover:bg-surface hover:text-ink"
            >
              <CloseIcon size={16} />
            </button>
          </div>
        </div>
      ))}

      {loading ? (
        <div className="min-h-0 flex-1 overflow-hidden">
          <HistorySkeleton />
        </div>
      ) : (
        <ChatActionsContext.Provider value={actions}>
          <MessageList
            ref={list}
            items={snap!.items}
            keys={snap!.keys}
            runActive={running}
            answerer={answerer}
            fold={snap!.fold}
            editing={snap!.editing}
            turns={snap!.turns}
            reveal={target}
          >
            {snap!.items.length === 0 && (
              <div
                data-testid="empty-state"
                className="flex flex-1 flex-col items-center justify-center py-10 text-center"
              >
                <AgentsIntro compact />
              </div>
            )}
          </MessageList>
        </ChatActionsContext.Provider>
      )}

      <div className="shrink-0 px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] sm:px-5">
        <div className="mx-auto w-full max-w-3xl">
          <RunStatus activity={snap?.activity ?? null} running={running} sending={!!snap?.sending} />
          {snap?.sendError && (
            <div
              role="alert"
              data-testid="send-error"
              data-kind={snap.sendError.kind}
              className="mb-2 flex flex-wrap items-center gap-x-3 gap-y-2 rounded-card border border-danger/30 bg-danger-soft px-3.5 py-2.5 text-sm text-ink"
            >
              <AlertIcon size={16} className="shrink-0 text-danger-ink" />
              <p className="min-w-0 flex-1">{snap.sendError.message}</p>
              <div className="flex items-center gap-1.5">
                {snap.sendError.kind === "conflict" ? (
                  running && (
                    <button
                      type="button"
                      onClick={() => void store?.cancel()}
                      className="h-8 rounded-control border border-line bg-surface px-2.5 text-xs font-medium text-ink hover:bg-subtle"
                    >
                      Stop the agents
                    </button>
                  )
                ) : (
                  <button
                    type="button"
                    data-testid="send-retry"
                    onClick={() => void send(draft || snap.sendError!.content)}
                    className="inline-flex h-8 items-center gap-1 rounded-control bg-primary px-2.5 text-xs font-medium text-on-primary hover:bg-primary-hover"
                  >
                    <RefreshIcon size={14} /> Retry
                  </button>
                )}
                <button
                  type="button"
                  data-testid="send-error-dismiss"
                  onClick={() => store?.clearSendError()}
                  aria-label="Dismiss"
                  className="rounded-control p-1 text-ink-soft hover:bg-surface hover:text-ink"
                >
                  <CloseIcon size={16} />
                </button>
              </div>
            </div>
          )}
          {snap && snap.queue.length > 0 && store && <QueueList queue={snap.queue} store={store} />}
          <Composer
            ref={composer}
            value={draft}
            onChange={(v) => {
              setDraft(v);
              if (snap?.sendError && snap.sendError.kind !== "conflict") store?.clearSendError();
            }}
            onSend={() => void send()}
            onStop={() => void store?.cancel()}
            onEditLast={() => !!store?.editLast()}
            onSteer={() => void send(draft, true)}
            busy={running}
            sending={!!snap?.sending}
            stopping={!!snap?.stopping}
          />
        </div>
      </div>
    </div>
  );
}

function ConversationHeader({
  title,
  loading,
  assignments,
}: {
  title: string;
  loading: boolean;
  assignments: { agent: string; role: string; order: number }[];
}) {
  const agents = [...assignments].sort((a, b) => a.order - b.order);
  return (
    <div className="shrink-0 border-b border-line bg-surface/60 px-3 py-2.5 backdrop-blur sm:px-5">
      <div className="mx-auto flex w-full max-w-3xl items-center gap-3">
        {loading && !title ? (
          <div className="skeleton h-5 w-48" />
        ) : (
          <h1
            data-testid="conversation-title"
            className="min-w-0 flex-1 truncate text-[0.95rem] font-semibold text-ink"
          >
            {sessionLabel(title)}
          </h1>
        )}
        {agents.length > 0 && (
          <ol
            data-testid="conversation-agents"
            aria-label="Agents in this chat"
            className="ml-auto hidden shrink-0 items-center gap-1.5 sm:flex"
          >
            {agents.map((a, i) => (
              <li key={a.agent} data-agent={a.agent} className="flex items-center gap-1.5">
                {i > 0 && (
                  <span aria-hidden className="text-xs text-muted">
                    →
                  </span>
                )}
                <span
                  className={`tone-${agentTone(a.agent)} inline-flex items-center gap-1.5 rounded-full border border-line px-2 py-0.5 text-xs font-medium`}
                  style={{ background: "var(--tone-soft)", color: "var(--tone-ink)" }}
                  title={a.role}
                >
                  <span className="h-1.5 w-1.5 rounded-full" style={{ background: "var(--tone)" }} aria-hidden />
                  {displayName(a.agent)}
                </span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}

/** "Researcher is thinking…" while a run is going. Fixed height, so nothing moves. */
function RunStatus({ activity, running, sending }: { activity: Activity | null; running: boolean; sending: boolean }) {
  const text = running ? activityText(activity ?? { phase: "starting" }) : sending ? "Sending…" : "";
  const tone = activity?.agent ? agentTone(activity.agent) : "blue";
  return (
    <div className="flex h-8 items-center" aria-hidden={!text}>
      {text && (
        <p
          data-testid="run-status"
          data-phase={running ? (activity?.phase ?? "starting") : "sending"}
          data-agent={activity?.agent}
          className={`tone-${tone} inline-flex items-center gap-2 text-[13px] font-medium`}
          style={{ color: "var(--tone-ink)" }}
        >
          <span className="inline-flex items-center gap-1" aria-hidden>
            <span className="typing-dot" />
            <span className="typing-dot" />
            <span className="typing-dot" />
          </span>
          {text}
        </p>
      )}
    </div>
  );
}

function ServerDownBanner({ snap, onRetry }: { snap: ConversationSnapshot; onRetry: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const offline = snap.socket.status === "offline";
  const next = snap.socket.nextRetryAt;
  const secs = next ? Math.max(0, Math.ceil((next - now) / 1000)) : null;
  return (
    <div className="mx-auto mt-3 w-full max-w-3xl px-3 sm:px-5">
      <div
        role="alert"
        data-testid="server-down-banner"
        className="flex flex-wrap items-center gap-3 rounded-card border border-secondary/40 bg-secondary-soft px-4 py-2.5 text-sm"
      >
        <span className="h-2 w-2 shrink-0 animate-pulse rounded-full bg-secondary" aria-hidden />
        <p className="min-w-0 flex-1 text-ink">
          {offline ? (
            <>You&apos;re offline — Tandem will reconnect when the network is back.</>
          ) : (
            <>
              <span className="font-medium">Can&apos;t reach the Tandem server — retrying</span>
              {secs !== null && secs > 0 && <span className="text-ink-soft"> in {secs}s</span>}. Nothing you&apos;ve
              sent is lost.
            </>
          )}
        </p>
        <button
          type="button"
          onClick={onRetry}
          className="inline-flex h-8 items-center gap-1.5 rounded-control border border-line bg-surface px-2.5 text-xs font-medium text-ink hover:bg-subtle"
        >
          <RefreshIcon size={14} /> Retry now
        </button>
      </div>
    </div>
  );
}

function Gone({ deleted }: { deleted: boolean }) {
  const shell = useShell();
  return (
    <div data-testid="session-missing" className="flex flex-1 items-center justify-center p-6">
      <div className="max-w-sm rounded-card border border-line bg-surface p-6 text-center shadow-card">
        <h1 className="text-base font-semibold text-ink">{deleted ? "This chat was deleted" : "Chat not found"}</h1>
        <p className="mt-2 text-sm text-ink-soft">
          {deleted ? "It was removed, maybe in another tab." : "The link may be wrong, or the chat was deleted."} Start
          a new one or pick another from the list.
        </p>
        <div className="mt-4 flex justify-center gap-2">
          <button
            type="button"
            onClick={shell.newChat}
            className="h-9 rounded-control bg-primary px-3.5 text-sm font-medium text-on-primary hover:bg-primary-hover"
          >
            New chat
          </button>
          <Link
            href="/"
            className="inline-flex h-9 items-center rounded-control border border-line px-3.5 text-sm font-medium text-ink hover:bg-subtle"
          >
            Home
          </Link>
        </div>
      </div>
    </div>
  );
}

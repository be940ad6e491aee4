"use client";

import Link from "next/link";
import { useParams, usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { describeError } from "@/lib/client/api";
import { SessionsStore } from "@/lib/client/sessions";
import type { SocketInfo } from "@/lib/client/socket";
import type { Session } from "@/lib/contract/types";
import { Drawer } from "./Drawer";
import { Header } from "./Header";
import { CloseIcon } from "./icons";
import { SearchDialog } from "./SearchDialog";
import { SessionSidebar } from "./SessionSidebar";
import { ShortcutsDialog } from "./ShortcutsDialog";
import {
  chatHref,
  decodeParam,
  requestComposerFocus,
  ShellContext,
  type ShellContextValue,
  type ShellNotice,
  useSessions,
} from "./shell-context";

let shellNoticeId = 1;

/**
 * The persistent chat shell: header, sessions sidebar (a drawer on narrow screens), the live
 * region, and the shared state every view needs. It lives in the (chat) layout, so it survives
 * navigation between `/` and `/c/<id>` and is server-rendered with its skeletons.
 */
export function ChatShell({ children, account }: { children: React.ReactNode; account?: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useParams<{ sessionId?: string }>();
  const currentId = decodeParam(params?.sessionId);

  const [sessions] = useState(() => new SessionsStore());
  const sessionsSnap = useSessions(sessions);
  const [socket, setSocket] = useState<SocketInfo | null>(null);
  const [online, setOnline] = useState(true);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const [notices, setNotices] = useState<ShellNotice[]>([]);
  const [announcement, setAnnouncement] = useState("");
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);
  const firstMessages = useRef(new Map<string, string>());
  const menuButtonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    sessions.start();
    return () => sessions.stop();
  }, [sessions]);

  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);

  // The drawer closes on navigation and when the viewport grows past it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: pathname is the trigger (close on every navigation), not a value the effect reads.
  useEffect(() => {
    setDrawerOpen(false);
  }, [pathname]);
  useEffect(() => {
    const mq = window.matchMedia("(min-width: 768px)");
    const onChange = () => mq.matches && setDrawerOpen(false);
    mq.addEventListener("change", onChange);
    return () => mq.removeEventListener("change", onChange);
  }, []);

  const announceTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const announce = useCallback((text: string) => {
    // Clear first so the same text is announced again.
    setAnnouncement("");
    if (announceTimer.current) clearTimeout(announceTimer.current);
    announceTimer.current = setTimeout(() => setAnnouncement(text), 60);
  }, []);

  const notify = useCallback((message: string) => {
    setNotices((n) => [...n.filter((x) => x.message !== message), { id: shellNoticeId++, message }].slice(-3));
  }, []);

  const focusComposer = useCallback(() => {
    requestComposerFocus();
  }, []);

  const newChat = useCallback(() => {
    router.push("/");
    requestComposerFocus();
  }, [router]);

  const startChat = useCallback(
    async (firstMessage: string): Promise<Session | null> => {
      setCreating(true);
      try {
        const session = await sessions.create();
        firstMessages.current.set(session.session_id, firstMessage);
        router.push(chatHref(session.session_id));
        return session;
      } catch (e) {
        notify(`Couldn't start a new chat: ${describeError(e)}`);
        return null;
      } finally {
        setCreating(false);
      }
    },
    [sessions, router, notify],
  );

  // App-wide shortcuts (listed in ShortcutsDialog). Esc (stop) and ↑ (edit) belong to the conversation.
  const newChatRef = useRef(newChat);
  newChatRef.current = newChat;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && !e.shiftKey && key === "k") {
        e.preventDefault();
        // Over the drawer too: the search dialog is the top layer.
        setSearchOpen(true);
      } else if (mod && e.shiftKey && key === "o") {
        e.preventDefault();
        newChatRef.current();
      } else if ((mod && key === "/") || (e.key === "?" && !mod && !typingIn(e.target))) {
        e.preventDefault();
        setShortcutsOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const value = useMemo<ShellContextValue>(
    () => ({
      sessions,
      setSocket,
      announce,
      notify,
      newChat,
      startChat,
      creating,
      peekFirstMessage: (id) => firstMessages.current.get(id),
      clearFirstMessage: (id) => {
        firstMessages.current.delete(id);
      },
      openDrawer: () => setDrawerOpen(true),
      closeDrawer: () => setDrawerOpen(false),
      focusComposer,
    }),
    [sessions, announce, notify, newChat, startChat, creating, focusComposer],
  );

  // What the header says about the connection: the open conversation's socket if there is one,
  // else whether the REST API answers.
  const connection = !online
    ? "offline"
    : socket
      ? socket.status === "open"
        ? "connected"
        : socket.status === "offline"
          ? "offline"
          : socket.status === "reconnecting"
            ? "reconnecting"
            : "connecting"
      : sessionsSnap.status === "unreachable"
        ? "reconnecting"
        : sessionsSnap.loaded
          ? "connected"
          : "connecting";

  return (
    <ShellContext.Provider value={value}>
      <div className="flex h-dvh flex-col overflow-hidden">
        <a
          href="#conversation"
          className="sr-only-focusable fixed left-3 top-3 z-50 rounded-control bg-primary px-3 py-2 text-sm font-medium text-on-primary shadow-pop"
        >
          Skip to conversation
        </a>
        <Header
          connection={connection}
          onNewChat={newChat}
          creating={creating}
          onOpenDrawer={() => setDrawerOpen(true)}
          drawerOpen={drawerOpen}
          menuButtonRef={menuButtonRef}
          account={account}
        />
        <div className="flex min-h-0 flex-1">
          <aside
            aria-label="Chats"
            className="hidden w-72 shrink-0 flex-col border-r border-line bg-surface md:flex lg:w-80"
            data-testid="sidebar"
          >
            <SessionSidebar currentId={currentId} />
          </aside>
          <main id="conversation" tabIndex={-1} className="relative flex min-w-0 flex-1 flex-col outline-none">
            {notices.length > 0 && (
              <div
                className="absolute inset-x-0 top-2 z-30 flex flex-col items-center gap-2 px-3"
                data-testid="shell-notices"
              >
                {notices.map((n) => (
                  <div
                    key={n.id}
                    role="alert"
                    data-testid="error-banner"
                    className="flex w-full max-w-xl items-start gap-3 rounded-card border border-danger/30 bg-surface px-4 py-3 text-sm text-ink shadow-pop"
                  >
                    <span className="mt-0.5 h-2 w-2 shrink-0 rounded-full bg-danger" aria-hidden />
                    <p className="min-w-0 flex-1">{n.message}</p>
                    <button
                      type="button"
                      data-testid="error-dismiss"
                      onClick={() => setNotices((all) => all.filter((x) => x.id !== n.id))}
                      className="-m-1 rounded-control p-1 text-muted hover:bg-subtle hover:text-ink"
                      aria-label="Dismiss"
                    >
                      <CloseIcon size={16} />
                    </button>
                  </div>
                ))}
              </div>
            )}
            {children}
          </main>
        </div>
        <Drawer open={drawerOpen} onClose={() => setDrawerOpen(false)} returnFocusTo={menuButtonRef} label="Chats">
          <SessionSidebar currentId={currentId} inDrawer onClose={() => setDrawerOpen(false)} />
          {account && (
            <Link
              href="/settings"
              data-testid="drawer-account-link"
              className="flex items-center gap-2 border-t border-line px-4 py-3 text-sm text-ink hover:bg-subtle sm:hidden"
            >
              <span className="min-w-0 truncate font-medium">{account}</span>
              <span className="ml-auto shrink-0 text-muted">Settings</span>
            </Link>
          )}
        </Drawer>
        <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
        <SearchDialog open={searchOpen} onClose={() => setSearchOpen(false)} sessions={sessions} />
        <div aria-live="polite" aria-atomic="true" className="sr-only" data-testid="live-region">
          {announcement}
        </div>
      </div>
    </ShellContext.Provider>
  );
}

/** A key typed into a field is text, not a shortcut. */
function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

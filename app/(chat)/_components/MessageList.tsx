"use client";

import {
  forwardRef,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { blockHas, type FoldState, groupTurns, turnKey } from "@/lib/client/turns";
import type { Message, Turn as ServerTurn } from "@/lib/contract/types";
import { ArrowDownIcon } from "./icons";
import { MessageItem } from "./MessageItem";
import { Turn } from "./Turn";

/** How long a search result's message stays highlighted. */
const HIGHLIGHT_MS = 2500;
/**
 * A long chat opens at its newest turns, and earlier ones render as the reader scrolls up to
 * them: rendering every message took about 2 ms each (9 s to open a chat of 2,000 turns). A
 * hundred blocks are about 50 turns (a user message, then its run's turn).
 */
const BLOCKS_AT_ONCE = 100;
/** How near the top (px) scrolling brings the earlier turns in (and near the bottom, later ones). */
const EARLIER_MARGIN = 400;

export interface MessageListHandle {
  /** Scroll to the newest message and follow new content again. */
  stickToBottom: (smooth?: boolean) => void;
}

/**
 * The scrolling conversation. It follows new content while the reader is at the bottom, stops
 * as soon as they scroll up (wheel, touch, keys, scrollbar), and offers "Jump to latest".
 */
export const MessageList = forwardRef<
  MessageListHandle,
  {
    items: Message[];
    keys: string[];
    runActive: boolean;
    /** The team's last agent: its message is a turn's answer. */
    answerer: string | null;
    fold: FoldState;
    editing: number | null;
    /** The server's turns of the active path (status, versions), by user message. */
    turns: ServerTurn[];
    /** A message to scroll to and highlight briefly (a search result), once it is shown. */
    reveal?: number | null;
    children?: React.ReactNode;
  }
>(function MessageList({ items, keys, runActive, answerer, fold, editing, turns, reveal, children }, ref) {
  const scroller = useRef<HTMLElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const lastTop = useRef(0);
  const [atBottom, setAtBottom] = useState(true);
  const [unseen, setUnseen] = useState(false);
  const seenCount = useRef(items.length);
  const blocks = useMemo(() => groupTurns(items, answerer, runActive), [items, answerer, runActive]);
  const lastTurn = blocks.findLastIndex((b) => b.kind === "turn");
  const turnOf = useMemo(
    () => new Map(turns.flatMap((t) => (t.user_message_id === null ? [] : [[turnKey(t.user_message_id), t] as const]))),
    [turns],
  );
  // The blocks rendered, [first, end): the newest `shownCount`. A search result earlier than
  // those opens a window from it instead (rendering every later turn took seconds in a long
  // chat), which grows upwards as the reader scrolls up and downwards as they scroll down, until
  // it reaches the newest; "Jump to latest" leaves it.
  const [shownCount, setShownCount] = useState(BLOCKS_AT_ONCE);
  const [around, setAround] = useState({ reveal, earlier: 0, later: BLOCKS_AT_ONCE, open: true });
  if (around.reveal !== reveal) setAround({ reveal, earlier: 0, later: BLOCKS_AT_ONCE, open: true });
  const revealAt = reveal && around.open ? blocks.findIndex((b) => blockHas(b, items, reveal)) : -1;
  const first = Math.max(
    0,
    revealAt === -1 ? blocks.length - shownCount : Math.min(blocks.length - shownCount, revealAt - around.earlier),
  );
  const windowed = revealAt !== -1 && first < blocks.length - shownCount && revealAt + around.later < blocks.length;
  const end = windowed ? revealAt + around.later : blocks.length;
  // Earlier turns render above the reader's place: it is kept (its distance from the bottom),
  // after the render that added them.
  const keepPlace = useRef<number | null>(null);
  const showEarlier = useCallback(() => {
    const el = scroller.current;
    if (el) keepPlace.current = el.scrollHeight - el.scrollTop;
    setShownCount((n) => n + BLOCKS_AT_ONCE);
    setAround((a) => ({ ...a, earlier: a.earlier + BLOCKS_AT_ONCE }));
  }, []);
  const showLater = useCallback(() => setAround((a) => ({ ...a, later: a.later + BLOCKS_AT_ONCE })), []);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || keepPlace.current === null) return;
    el.scrollTop = el.scrollHeight - keepPlace.current;
    lastTop.current = el.scrollTop;
    keepPlace.current = null;
  });

  const toBottom = useCallback((smooth = false) => {
    const el = scroller.current;
    if (!el) return;
    if (smooth) el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
    else el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;
  }, []);

  const stickToBottom = useCallback(
    (smooth = false) => {
      setAround((a) => ({ ...a, open: false }));
      stick.current = true;
      setAtBottom(true);
      setUnseen(false);
      toBottom(smooth);
    },
    [toBottom],
  );

  useImperativeHandle(ref, () => ({ stickToBottom }), [stickToBottom]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const dist = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (el.scrollTop < lastTop.current - 2 && dist > 4) stick.current = false; // moved up: the reader is reading
    if (dist < 32 && !windowed) stick.current = true; // the window's bottom is not the newest
    lastTop.current = el.scrollTop;
    setAtBottom(stick.current);
    if (stick.current) setUnseen(false);
    if (el.scrollTop < EARLIER_MARGIN && first > 0 && keepPlace.current === null) showEarlier();
    if (dist < EARLIER_MARGIN && windowed) showLater();
  }, [first, windowed, showEarlier, showLater]);

  // Growth of the content (new messages, streamed tokens, expanded cards): follow if stuck.
  useEffect(() => {
    const el = content.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => {
      if (stick.current) toBottom();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [toBottom]);

  useLayoutEffect(() => {
    if (stick.current) toBottom();
    else if (items.length > seenCount.current) setUnseen(true);
    seenCount.current = items.length;
  }, [items, toBottom]);

  // A search result's message: scrolled to and highlighted once, when it is in the conversation
  // (a message of another version is not: the chat just opens).
  const revealed = useRef<number | null>(null);
  const shown = !!reveal && items.some((m) => m.id === reveal);
  useEffect(() => {
    if (!reveal || !shown || revealed.current === reveal) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-message-id="${reveal}"]`);
    if (!el) return;
    revealed.current = reveal;
    stick.current = false;
    setAtBottom(false);
    el.scrollIntoView({ block: "center" });
    lastTop.current = scroller.current?.scrollTop ?? 0;
    el.setAttribute("data-highlighted", "");
    const t = setTimeout(() => el.removeAttribute("data-highlighted"), HIGHLIGHT_MS);
    return () => {
      clearTimeout(t);
      el.removeAttribute("data-highlighted");
    };
  }, [reveal, shown]);

  return (
    <div className="relative min-h-0 flex-1">
      <section
        ref={scroller}
        onScroll={onScroll}
        onWheel={(e) => {
          if (e.deltaY < 0) stick.current = false;
        }}
        tabIndex={0}
        aria-label="Messages"
        data-testid="message-list"
        className="scroll-calm absolute inset-0 overflow-y-auto [overflow-anchor:none] focus-visible:outline-offset-[-2px]"
      >
        <div ref={content} className="mx-auto flex min-h-full w-full max-w-3xl flex-col gap-5 px-3 pb-6 pt-6 sm:px-5">
          {children}
          {first > 0 && (
            <EdgeButton testId="show-earlier" onClick={showEarlier}>
              Show earlier messages
            </EdgeButton>
          )}
          {blocks.slice(first, end).map((b, i) => {
            const n = first + i;
            return b.kind === "message" ? (
              <MessageItem
                key={keys[b.index] ?? items[b.index].id}
                m={items[b.index]}
                runActive={runActive}
                editing={editing === items[b.index].id}
                edits={turnOf.get(turnKey(items[b.index].id))?.edits}
              />
            ) : (
              <Turn
                key={`turn-${b.key}`}
                turn={b}
                items={items}
                keys={keys}
                live={runActive && n === lastTurn}
                runActive={runActive}
                fold={fold}
                latest={n === lastTurn}
                reveal={reveal ?? null}
                server={turnOf.get(b.key)}
              />
            );
          })}
          {windowed && (
            <EdgeButton testId="show-later" onClick={showLater}>
              Show later messages
            </EdgeButton>
          )}
        </div>
      </section>
      {!atBottom && (
        <button
          type="button"
          data-testid="jump-to-latest"
          onClick={() => stickToBottom(true)}
          className="absolute bottom-3 left-1/2 z-10 inline-flex h-9 -translate-x-1/2 items-center gap-1.5 rounded-full border border-line bg-surface px-3.5 text-sm font-medium text-ink shadow-pop hover:bg-subtle"
        >
          <ArrowDownIcon size={16} />
          Jump to latest
          {unseen && <span role="img" className="ml-0.5 h-2 w-2 rounded-full bg-primary" aria-label="new messages" />}
        </button>
      )}
    </div>
  );
});

/** "Show earlier / later messages": at either end of the rendered stretch of a long chat. */
function EdgeButton({ testId, onClick, children }: { testId: string; onClick: () => void; children: string }) {
  return (
    <button
      type="button"
      data-testid={testId}
      onClick={onClick}
      className="self-center rounded-full border border-line bg-surface px-3.5 py-1.5 text-sm font-medium text-ink hover:bg-subtle"
    >
      {children}
    </button>
  );
}

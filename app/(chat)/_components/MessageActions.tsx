"use client";

import { createContext, useContext } from "react";
import type { Message, Rating } from "@/lib/contract/types";
import { ThumbDownIcon, ThumbUpIcon } from "./icons";
import { CopyButton } from "./Markdown";

/** What a message's actions do: the conversation view provides them (the store's commands). */
export interface ChatActions {
  rate: (messageId: number, rating: Rating | null) => void;
  startEdit: (messageId: number) => void;
  cancelEdit: () => void;
  saveEdit: (messageId: number, content: string) => Promise<boolean>;
  toggleWork: (turn: string, open: boolean) => void;
  rerun: (action: "regenerate" | "retry" | "continue", runId: number) => void;
  /** Shows another version of a turn. */
  select: (runId: number) => void;
}

export const ChatActionsContext = createContext<ChatActions | null>(null);

export function useChatActions(): ChatActions | null {
  return useContext(ChatActionsContext);
}

const actionButton =
  "inline-flex h-7 min-w-7 items-center justify-center gap-1 rounded-[8px] px-1.5 text-xs font-medium text-ink-soft transition-colors hover:bg-subtle hover:text-ink aria-pressed:text-primary-ink aria-pressed:bg-primary-soft";

/**
 * A message's actions: Copy (as Markdown) on every message, thumbs on an agent's turn, and what
 * the caller adds. Not shown while the message streams. Hidden until the message is hovered or
 * anything in it has focus (so Tab reaches them), always shown on touch screens (no hover there)
 * and on the latest answer.
 */
export function MessageActions({
  m,
  label,
  children,
  align = "start",
  always = false,
}: {
  m: Message;
  /** Who wrote it, for screen readers ("Copy Writer's message"). */
  label: string;
  children?: React.ReactNode;
  align?: "start" | "end";
  always?: boolean;
}) {
  const actions = useChatActions();
  const stored = m.id > 0;
  const rateable = m.role === "agent" && stored && !!actions;
  const rate = (r: Rating) => actions?.rate(m.id, m.rating === r ? null : r);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a toolbar of buttons is not a fieldset (no form, no legend).
    <div
      role="group"
      aria-label={`Actions for ${label}`}
      data-testid="message-actions"
      className={`mt-1 flex flex-wrap items-center gap-0.5 px-0.5 transition-opacity ${always ? "" : "opacity-0 group-hover/message:opacity-100 group-focus-within/message:opacity-100 [@media(hover:none)]:opacity-100"} ${align === "end" ? "justify-end" : ""}`}
    >
      <CopyButton
        getText={() => m.content}
        label="Copy"
        title="Copy as Markdown"
        testId="message-copy"
        className="hover:bg-subtle"
      />
      {rateable && (
        <>
          <button
            type="button"
            data-testid="rate-up"
            aria-pressed={m.rating === "up"}
            aria-label="Good answer"
            title="Good answer"
            onClick={() => rate("up")}
            className={actionButton}
          >
            <ThumbUpIcon size={15} />
          </button>
          <button
            type="button"
            data-testid="rate-down"
            aria-pressed={m.rating === "down"}
            aria-label="Bad answer"
            title="Bad answer"
            onClick={() => rate("down")}
            className={actionButton}
          >
            <ThumbDownIcon size={15} />
          </button>
        </>
      )}
      {children}
    </div>
  );
}

export { actionButton as messageActionClass };

/** ‹ 2/3 ›: shows another version (the server switches the conversation's path). */
export function VersionSwitch({
  label,
  index,
  ids,
  testId,
}: {
  label: string;
  index: number;
  ids: number[];
  testId: string;
}) {
  const actions = useChatActions();
  return (
    // biome-ignore lint/a11y/useSemanticElements: two buttons and a count, not a form's fieldset.
    <div
      role="group"
      aria-label={label}
      data-testid={testId}
      className="inline-flex items-center text-xs text-ink-soft"
    >
      <button
        type="button"
        data-testid="version-prev"
        aria-label={`Previous ${label.toLowerCase()}`}
        disabled={index <= 0}
        onClick={() => actions?.select(ids[index - 1])}
        className={`${actionButton} disabled:opacity-40`}
      >
        ‹
      </button>
      <span data-testid="version-index" className="tabular-nums">
        {index + 1}/{ids.length}
      </span>
      <button
        type="button"
        data-testid="version-next"
        aria-label={`Next ${label.toLowerCase()}`}
        disabled={index >= ids.length - 1}
        onClick={() => actions?.select(ids[index + 1])}
        className={`${actionButton} disabled:opacity-40`}
      >
        ›
      </button>
    </div>
  );
}

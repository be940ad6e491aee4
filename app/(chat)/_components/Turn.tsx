"use client";

import { useId } from "react";
import { agentTone, initials } from "@/lib/client/agents";
import { type Block, type FoldState, workOpen, workSummary } from "@/lib/client/turns";
import type { Message } from "@/lib/contract/types";
import { ChevronIcon } from "./icons";
import { useChatActions } from "./MessageActions";
import { MessageItem } from "./MessageItem";

/**
 * One turn: the earlier agents' work and the tool calls in a compact strip that expands, the
 * user's guidance, then the answer as the hero.
 */
export function Turn({
  turn,
  items,
  keys,
  live,
  runActive,
  fold,
  latest,
}: {
  turn: Block & { kind: "turn" };
  items: Message[];
  keys: string[];
  /** The run is still working on this turn. */
  live: boolean;
  runActive: boolean;
  fold: FoldState;
  /** The conversation's last turn (its answer's actions always show). */
  latest: boolean;
}) {
  const actions = useChatActions();
  const regionId = useId();
  const open = workOpen(turn, fold, live);
  const summary = workSummary(items, turn.work);
  const agents = [...new Set(turn.work.map((i) => items[i].agent?.name).filter((n): n is string => !!n))];
  return (
    <div data-testid="turn" data-turn={turn.key} className="flex flex-col gap-3">
      {turn.work.length > 0 && (
        <div data-testid="work-strip" data-open={open || undefined} className="flex flex-col gap-3">
          <button
            type="button"
            data-testid="work-toggle"
            aria-expanded={open}
            aria-controls={regionId}
            onClick={() => actions?.toggleWork(turn.key, !open)}
            className="group ml-11 inline-flex max-w-[calc(100%-2.75rem)] items-center gap-2 self-start rounded-full border border-line bg-surface px-2.5 py-1 text-xs text-ink-soft shadow-soft hover:bg-subtle hover:text-ink"
          >
            <span className="flex -space-x-1.5" aria-hidden>
              {agents.map((a) => (
                <span
                  key={a}
                  className={`tone-${agentTone(a)} inline-flex h-5 w-5 items-center justify-center rounded-full text-[10px] font-semibold ring-2 ring-surface`}
                  style={{ background: "var(--tone)", color: "var(--tone-on)" }}
                >
                  {initials(a)}
                </span>
              ))}
            </span>
            <span className="truncate">
              <span className="font-medium text-ink">How we got here</span>
              {summary && <span data-testid="work-summary"> · {summary}</span>}
            </span>
            <ChevronIcon size={14} className={`shrink-0 transition-transform ${open ? "rotate-180" : ""}`} />
          </button>
          <div id={regionId} hidden={!open} data-testid="work" className="flex flex-col gap-5">
            {/* Kept in the page while folded: the reader's find-in-page and a reload's scroll still see it. */}
            {turn.work.map((i) => (
              <MessageItem key={keys[i] ?? items[i].id} m={items[i]} runActive={runActive} />
            ))}
          </div>
        </div>
      )}
      {turn.guidance.map((i) => (
        <MessageItem key={keys[i] ?? items[i].id} m={items[i]} runActive={runActive} guidance />
      ))}
      {turn.answer !== null && (
        <MessageItem
          key={keys[turn.answer] ?? items[turn.answer].id}
          m={items[turn.answer]}
          runActive={runActive}
          hero={latest}
        />
      )}
    </div>
  );
}

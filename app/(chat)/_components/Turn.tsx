"use client";

import { useId } from "react";
import { agentTone, initials } from "@/lib/client/agents";
import { processSteps, processSummary } from "@/lib/client/process";
import { type Block, type FoldState, workOpen, workSummary } from "@/lib/client/turns";
import type { Message, Turn as ServerTurn } from "@/lib/contract/types";
import { AlertIcon, ChevronIcon, RefreshIcon } from "./icons";
import { messageActionClass, useChatActions, VersionSwitch } from "./MessageActions";
import { MessageItem } from "./MessageItem";
import { ProcessSteps } from "./ProcessSteps";

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
  server,
  reveal,
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
  /** What the server stores of this turn: status and reason, versions. */
  server?: ServerTurn;
  /** A message to show (a search result): the work opens when it holds it. */
  reveal: number | null;
}) {
  const actions = useChatActions();
  const regionId = useId();
  const empty = turn.work.length === 0 && turn.guidance.length === 0 && turn.answer === null;
  const holdsReveal = fold.turns[turn.key] === undefined && turn.work.some((i) => items[i].id === reveal);
  const open = holdsReveal || workOpen(turn, fold, live);
  const steps = processSteps(items, turn.answer === null ? turn.work : [...turn.work, turn.answer]);
  const summary = [processSummary(steps), workSummary(items, turn.work)].filter(Boolean).join(" · ");
  const agents = [...new Set(turn.work.map((i) => items[i].agent?.name).filter((n): n is string => !!n))];
  // Nothing written yet: only a finished turn's footer (its failure, Retry) is worth a place.
  if (empty && (!server || live)) return null;
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
            <ProcessSteps steps={steps} />
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
      {server && !live && <TurnFooter t={server} />}
    </div>
  );
}

/** A turn's failure (with Retry / Continue), Regenerate, and its answer versions ‹ 1/2 ›. */
function TurnFooter({ t }: { t: ServerTurn }) {
  const actions = useChatActions();
  if (!actions || t.status === "running" || t.status === "queued") return null;
  const failed = t.status === "error" || t.status === "cancelled";
  const v = t.versions;
  return (
    <div data-testid="turn-footer" data-status={t.status} className="ml-11 flex flex-col gap-2">
      {failed && (
        <div
          data-testid="turn-failure"
          className="flex flex-wrap items-center gap-2 rounded-card border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-ink"
        >
          <AlertIcon size={16} className="shrink-0 text-danger-ink" />
          <p className="min-w-0 flex-1">
            {t.status === "error"
              ? `The run failed: ${t.error ?? "unknown error"}`
              : "Stopped before the agents finished."}
          </p>
          {t.status === "error" && (
            <button
              type="button"
              data-testid="turn-retry"
              onClick={() => actions.rerun("retry", t.run_id)}
              className={messageActionClass}
            >
              <RefreshIcon size={14} /> Retry
            </button>
          )}
          <button
            type="button"
            data-testid="turn-continue"
            onClick={() => actions.rerun("continue", t.continued_by.at(-1) ?? t.run_id)}
            className={messageActionClass}
          >
            Continue
          </button>
        </div>
      )}
      <div className="flex items-center gap-1">
        <button
          type="button"
          data-testid="turn-regenerate"
          onClick={() => actions.rerun("regenerate", t.run_id)}
          className={messageActionClass}
        >
          <RefreshIcon size={14} /> Regenerate
        </button>
        {v.count > 1 && (
          <VersionSwitch label="Answer version" index={v.index} ids={v.run_ids} testId="answer-versions" />
        )}
      </div>
    </div>
  );
}

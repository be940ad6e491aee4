"use client";

import { useId, useState } from "react";
import type { ConversationStore } from "@/lib/client/conversation";
import type { QueuedRun } from "@/lib/contract/types";
import { CloseIcon, PencilIcon } from "./icons";
import { messageActionClass } from "./MessageActions";

/** Messages waiting behind the running run, under the composer: each editable and removable. */
export function QueueList({ queue, store }: { queue: QueuedRun[]; store: ConversationStore }) {
  const headingId = useId();
  return (
    <section
      aria-labelledby={headingId}
      data-testid="queue"
      className="mb-2 rounded-card border border-line bg-surface px-3 py-2 shadow-soft"
    >
      <h2 id={headingId} className="text-xs font-medium text-ink-soft">
        Queued — sent when the agents are done
      </h2>
      <ol className="mt-1 flex flex-col gap-1">
        {queue.map((q) => (
          <QueuedItem key={q.run_id} q={q} store={store} />
        ))}
      </ol>
    </section>
  );
}

function QueuedItem({ q, store }: { q: QueuedRun; store: ConversationStore }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(q.content);
  const inputId = useId();
  return (
    <li data-testid="queued-message" data-run-id={q.run_id} className="flex items-center gap-2 text-sm">
      {editing ? (
        <form
          className="flex flex-1 items-center gap-2"
          onSubmit={async (e) => {
            e.preventDefault();
            if (text.trim() && (await store.editQueued(q.run_id, text.trim()))) setEditing(false);
          }}
        >
          <label htmlFor={inputId} className="sr-only">
            Edit the queued message
          </label>
          <input
            id={inputId}
            data-testid="queued-edit-input"
            value={text}
            autoFocus
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.preventDefault();
                e.stopPropagation();
                setEditing(false);
              }
            }}
            className="h-8 min-w-0 flex-1 rounded-control border border-line bg-surface px-2 text-ink"
          />
          <button type="submit" data-testid="queued-save" className={messageActionClass}>
            Save
          </button>
        </form>
      ) : (
        <>
          <span className="w-5 shrink-0 text-center text-xs tabular-nums text-muted">{q.position}</span>
          <p data-testid="queued-content" className="min-w-0 flex-1 truncate text-ink">
            {q.content}
          </p>
          <button
            type="button"
            data-testid="queued-edit"
            aria-label={`Edit queued message: ${q.content.slice(0, 40)}`}
            onClick={() => {
              setText(q.content);
              setEditing(true);
            }}
            className={messageActionClass}
          >
            <PencilIcon size={14} />
          </button>
        </>
      )}
      <button
        type="button"
        data-testid="queued-remove"
        aria-label={`Remove queued message: ${q.content.slice(0, 40)}`}
        onClick={() => void store.removeQueued(q.run_id)}
        className={messageActionClass}
      >
        <CloseIcon size={14} />
      </button>
    </li>
  );
}

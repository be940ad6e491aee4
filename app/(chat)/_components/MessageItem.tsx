"use client";

import { memo, useDeferredValue, useEffect, useId, useRef, useState } from "react";
import { agentTone, displayName, initials } from "@/lib/client/agents";
import { formatClock, formatFull, formatLatency, formatTokens } from "@/lib/client/format";
import type { Message, Turn } from "@/lib/contract/types";
import { AlertIcon, PencilIcon } from "./icons";
import { Markdown } from "./Markdown";
import { MessageActions, messageActionClass, useChatActions, VersionSwitch } from "./MessageActions";
import { ToolCard } from "./ToolCard";

export function AgentAvatar({ name, size = 32 }: { name: string; size?: number }) {
  return (
    <span
      aria-hidden
      className={`tone-${agentTone(name)} inline-flex shrink-0 select-none items-center justify-center rounded-full text-[12px] font-semibold shadow-soft ring-2 ring-surface`}
      style={{ width: size, height: size, background: "var(--tone)", color: "var(--tone-on)" }}
    >
      {initials(name)}
    </span>
  );
}

function errorText(meta: Message["metadata"]): string | null {
  const e = meta?.error;
  if (!e) return null;
  if (typeof e === "string") return e;
  if (typeof e === "object" && e && typeof (e as { message?: unknown }).message === "string")
    return (e as { message: string }).message;
  return "Something went wrong.";
}

function SmallPrint({ m, extra }: { m: Message; extra?: React.ReactNode }) {
  const tokens = formatTokens(m.tokens_prompt, m.tokens_completion);
  const latency = formatLatency(m.latency_ms);
  const model = typeof m.metadata?.model === "string" ? m.metadata.model : "";
  const bits: React.ReactElement[] = [];
  if (m.id > 0 && m.created_at)
    bits.push(
      <time key="t" dateTime={m.created_at} title={formatFull(m.created_at)}>
        {formatClock(m.created_at)}
      </time>,
    );
  if (tokens)
    bits.push(
      <span key="k" title="Tokens: prompt in, completion out">
        {tokens} tokens
      </span>,
    );
  if (latency)
    bits.push(
      <span key="l" title="Latency">
        {latency}
      </span>,
    );
  if (model)
    bits.push(
      <span key="m" className="font-mono">
        {model}
      </span>,
    );
  if (!bits.length && !extra) return null;
  return (
    <div
      data-testid="message-meta"
      className="mt-1.5 flex flex-wrap items-center gap-x-2 gap-y-0.5 px-1 text-[11.5px] text-muted"
    >
      {bits.map((b, i) => (
        <span key={b.key} className="inline-flex items-center gap-2">
          {i > 0 && <span aria-hidden className="h-0.5 w-0.5 rounded-full bg-current opacity-70" />}
          {b}
        </span>
      ))}
      {extra}
    </div>
  );
}

function StreamingText({ text }: { text: string }) {
  // Parsing markdown per token is fine; deferring keeps typing in the composer smooth.
  const deferred = useDeferredValue(text);
  return <Markdown text={deferred} className="stream-caret" />;
}

function AgentMessage({ m, runActive, hero }: { m: Message; runActive: boolean; hero: boolean }) {
  const name = m.agent?.name ?? "agent";
  const role = m.agent?.role ?? "";
  const tone = agentTone(name);
  const streaming = m.metadata?.streaming === true && runActive;
  const interrupted = m.metadata?.interrupted === true || (m.metadata?.streaming === true && !runActive);
  const cancelled = m.metadata?.cancelled === true;
  const err = errorText(m.metadata);
  const empty = !m.content;

  return (
    <article
      data-testid="message"
      data-role="agent"
      data-agent={name}
      data-message-id={m.id}
      data-streaming={streaming || undefined}
      data-hero={hero || undefined}
      aria-label={`${displayName(name)}${role ? `, ${role}` : ""}`}
      className={`tone-${tone} group/message flex gap-3 animate-fade-up`}
    >
      <div className="pt-0.5">
        <AgentAvatar name={name} />
      </div>
      <div className="min-w-0 flex-1">
        <div className="mb-1 flex items-baseline gap-2 px-1">
          <span data-testid="agent-name" className="text-sm font-semibold" style={{ color: "var(--tone-ink)" }}>
            {displayName(name)}
          </span>
          {role && (
            <span data-testid="agent-role" className="truncate text-xs text-muted">
              {role}
            </span>
          )}
        </div>
        <div
          className="bg-agent-bubble relative rounded-bubble rounded-tl-[6px] border border-line px-4 py-3 shadow-soft"
          style={{ borderLeftColor: "var(--tone)", borderLeftWidth: 3 }}
        >
          {empty && streaming ? (
            <div
              className="flex h-6 items-center gap-1.5"
              data-testid="typing-indicator"
              role="img"
              aria-label={`${displayName(name)} is thinking`}
            >
              <span className="typing-dot" />
              <span className="typing-dot" />
              <span className="typing-dot" />
            </div>
          ) : streaming ? (
            <StreamingText text={m.content} />
          ) : empty ? (
            <p className="text-sm italic text-muted">No text.</p>
          ) : (
            <Markdown text={m.content} />
          )}
        </div>
        <SmallPrint
          m={m}
          extra={
            <>
              {cancelled && (
                <span
                  data-testid="message-cancelled"
                  className="rounded-full bg-subtle px-2 py-0.5 font-medium text-ink-soft"
                >
                  Stopped
                </span>
              )}
              {interrupted && !cancelled && !err && (
                <span className="rounded-full bg-secondary-soft px-2 py-0.5 font-medium text-secondary-ink">
                  Interrupted
                </span>
              )}
              {err && (
                <span
                  data-testid="message-error"
                  className="inline-flex items-center gap-1 rounded-full bg-danger-soft px-2 py-0.5 font-medium text-danger-ink"
                >
                  <AlertIcon size={12} /> {err}
                </span>
              )}
            </>
          }
        />
        {!streaming && <MessageActions m={m} label={`${displayName(name)}'s message`} always={hero} />}
      </div>
    </article>
  );
}

/** A message's versions (edits): which one this is among the turn's user messages. */
type Edits = Turn["edits"];

function UserMessage({
  m,
  editing,
  guidance,
  edits,
}: {
  m: Message;
  editing: boolean;
  guidance: boolean;
  edits?: Edits;
}) {
  const actions = useChatActions();
  return (
    <article
      data-testid="message"
      data-role="user"
      data-message-id={m.id}
      data-guidance={guidance || undefined}
      aria-label={guidance ? "Your guidance" : "You"}
      className="group/message flex flex-col items-end animate-fade-up"
    >
      {guidance && (
        <span data-testid="guidance-label" className="mb-1 px-1 text-xs font-medium text-ink-soft">
          Guidance sent while the agents worked
        </span>
      )}
      {editing && actions ? (
        <EditBox m={m} />
      ) : (
        <div
          className={`max-w-[85%] rounded-bubble rounded-tr-[6px] px-4 py-2.5 text-[0.9375rem] leading-relaxed shadow-card sm:max-w-[75%] ${guidance ? "border border-dashed border-line-strong bg-surface text-ink" : "bg-user-bubble text-on-primary"}`}
        >
          {/* Plain text on purpose: what the person typed is shown exactly, never interpreted. */}
          <p data-testid="message-content" className="whitespace-pre-wrap [overflow-wrap:anywhere]">
            {m.content}
          </p>
        </div>
      )}
      <SmallPrint m={m} />
      {!editing && edits && edits.count > 1 && (
        <VersionSwitch label="Message version" index={edits.index} ids={edits.run_ids} testId="message-versions" />
      )}
      {!editing && m.id > 0 && (
        <MessageActions m={m} label="your message" align="end">
          {actions && !guidance && (
            <button
              type="button"
              data-testid="message-edit"
              aria-label="Edit your message"
              title="Edit (↑ in an empty box edits the last one)"
              onClick={() => actions.startEdit(m.id)}
              className={messageActionClass}
            >
              <PencilIcon size={15} /> Edit
            </button>
          )}
        </MessageActions>
      )}
    </article>
  );
}

/** Editing a message in place: Save sends it as a new version (Ctrl/Cmd+Enter), Esc or Cancel leaves. */
function EditBox({ m }: { m: Message }) {
  const actions = useChatActions()!;
  const [text, setText] = useState(m.content);
  const [saving, setSaving] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  useEffect(() => {
    const ta = ref.current;
    ta?.focus();
    ta?.setSelectionRange(ta.value.length, ta.value.length);
  }, []);
  const unchanged = !text.trim() || text.trim() === m.content.trim();
  async function save() {
    if (unchanged || saving) return;
    setSaving(true);
    // On failure the box stays open with the text (the error is shown under the composer).
    if (!(await actions.saveEdit(m.id, text))) setSaving(false);
  }
  return (
    <form
      data-testid="edit-box"
      className="w-full max-w-[85%] rounded-card border border-primary/60 bg-surface p-2 shadow-card sm:max-w-[75%]"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label htmlFor={id} className="sr-only">
        Edit your message
      </label>
      <textarea
        ref={ref}
        id={id}
        data-testid="edit-input"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            actions.cancelEdit();
          } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey || !e.shiftKey) && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void save();
          }
        }}
        rows={2}
        className="block max-h-[40vh] w-full resize-none bg-transparent px-2 py-1.5 text-[0.9375rem] leading-relaxed text-ink focus:outline-none [field-sizing:content]"
      />
      <div className="flex items-center justify-end gap-2 pt-1">
        <span className="mr-auto hidden px-2 text-xs text-muted sm:inline">Enter saves · Esc cancels</span>
        <button
          type="button"
          data-testid="edit-cancel"
          onClick={() => actions.cancelEdit()}
          className="h-8 rounded-control border border-line bg-surface px-3 text-sm font-medium text-ink hover:bg-subtle"
        >
          Cancel
        </button>
        <button
          type="submit"
          data-testid="edit-save"
          disabled={unchanged || saving}
          className="h-8 rounded-control bg-primary px-3 text-sm font-medium text-on-primary hover:bg-primary-hover disabled:cursor-not-allowed disabled:bg-line-strong disabled:text-ink-soft"
        >
          {saving ? "Sending…" : "Save & send"}
        </button>
      </div>
    </form>
  );
}

function SystemMessage({ m }: { m: Message }) {
  return (
    <div data-testid="message" data-role="system" data-message-id={m.id} className="flex justify-center">
      <p
        data-testid="message-content"
        className="max-w-[80%] rounded-full border border-line bg-surface px-3 py-1 text-center text-xs text-ink-soft"
      >
        {m.content}
      </p>
    </div>
  );
}

export const MessageItem = memo(function MessageItem({
  m,
  runActive,
  hero = false,
  editing = false,
  guidance = false,
  edits,
}: {
  m: Message;
  runActive: boolean;
  /** A user message's versions (it was edited), from the server's turns. */
  edits?: Edits;
  /** The turn's answer: its actions always show. */
  hero?: boolean;
  editing?: boolean;
  guidance?: boolean;
}) {
  switch (m.role) {
    case "user":
      return <UserMessage m={m} editing={editing} guidance={guidance} edits={edits} />;
    case "tool":
      return <ToolCard m={m} runActive={runActive} />;
    case "system":
      return <SystemMessage m={m} />;
    default:
      return <AgentMessage m={m} runActive={runActive} hero={hero} />;
  }
});

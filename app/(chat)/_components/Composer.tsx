"use client";

import { forwardRef, useEffect, useId, useImperativeHandle, useRef } from "react";
import { SendIcon, StopIcon } from "./icons";
import { consumeComposerFocus, FOCUS_COMPOSER_EVENT } from "./shell-context";

export interface ComposerHandle {
  focus: () => void;
}

/**
 * The message box. Enter sends, Shift+Enter adds a line. The draft is owned by the parent, so
 * it survives a failed send; while the agents work, sending is disabled (with a reason) and a
 * Stop button is offered.
 */
export const Composer = forwardRef<
  ComposerHandle,
  {
    value: string;
    onChange: (v: string) => void;
    onSend: () => void;
    onStop?: () => void;
    /** While the agents work: send the text now as guidance (Ctrl/Cmd+Enter). */
    onSteer?: () => void;
    /** ↑ in the empty box: edit the last message sent; true when there was one. */
    onEditLast?: () => boolean;
    busy: boolean;
    sending: boolean;
    stopping?: boolean;
    disabled?: boolean;
    placeholder?: string;
    autoFocus?: boolean;
    hint?: string;
  }
>(function Composer(props, ref) {
  const ta = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const hintId = useId();
  useImperativeHandle(ref, () => ({ focus: () => ta.current?.focus() }), []);

  useEffect(() => {
    const f = () => ta.current?.focus();
    if (consumeComposerFocus()) ta.current?.focus();
    window.addEventListener(FOCUS_COMPOSER_EVENT, f);
    return () => window.removeEventListener(FOCUS_COMPOSER_EVENT, f);
  }, []);

  const empty = !props.value.trim();
  // While the agents work, a send waits in the queue; Steer sends it to them now.
  const canSend = !empty && !props.sending && !props.disabled;
  const busyLabel = "Agents are working — Enter queues, Steer guides them now";
  const hint = props.busy ? busyLabel : (props.hint ?? "Enter to send · Shift+Enter for a new line");

  return (
    <form
      data-testid="composer"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) props.onSend();
      }}
      className="rounded-card border border-line bg-surface shadow-card transition-[box-shadow,border-color] focus-within:border-primary/60 focus-within:shadow-[0_0_0_3px_var(--color-primary-ring)]"
    >
      <label htmlFor={id} className="sr-only">
        Message the agents
      </label>
      <textarea
        ref={ta}
        id={id}
        data-testid="composer-input"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "ArrowUp" && !props.value && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
            if (props.onEditLast?.()) e.preventDefault();
            return;
          }
          if (e.key === "Enter" && !e.shiftKey && !e.altKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            if (empty || props.disabled) return;
            if ((e.ctrlKey || e.metaKey) && props.busy && props.onSteer) props.onSteer();
            // A send in flight still calls onSend: the parent explains why nothing is sent, and the draft stays.
            else props.onSend();
          }
        }}
        rows={1}
        autoFocus={props.autoFocus}
        disabled={props.disabled}
        aria-describedby={hintId}
        placeholder={props.placeholder ?? "Ask anything…"}
        className="block max-h-[40vh] min-h-[3.25rem] w-full resize-none bg-transparent px-4 pb-1 pt-3.5 text-[0.9375rem] leading-relaxed text-ink placeholder:text-muted focus:outline-none [field-sizing:content] disabled:opacity-60"
      />
      <div className="flex items-center gap-2 px-2.5 pb-2.5 pl-4">
        <p
          id={hintId}
          data-testid="composer-hint"
          className={`min-w-0 flex-1 truncate text-xs ${props.busy ? "font-medium text-secondary-ink" : "text-muted"}`}
        >
          {props.busy ? (
            <>
              <span className="sm:hidden">Agents are working…</span>
              <span className="hidden sm:inline">{busyLabel}</span>
            </>
          ) : (
            <span className="hidden sm:inline">{hint}</span>
          )}
        </p>
        {props.busy && props.onSteer && (
          <button
            type="button"
            data-testid="steer-button"
            onClick={props.onSteer}
            disabled={empty || props.sending}
            title="Send now as guidance to the agents at work (Ctrl/Cmd+Enter)"
            className="inline-flex h-9 items-center gap-1.5 rounded-control border border-primary/60 bg-surface px-3 text-sm font-medium text-primary-ink shadow-soft hover:bg-primary-soft disabled:cursor-not-allowed disabled:opacity-60"
          >
            Steer
          </button>
        )}
        {props.busy && props.onStop && (
          <button
            type="button"
            data-testid="stop-button"
            onClick={props.onStop}
            disabled={props.stopping}
            className="inline-flex h-9 items-center gap-1.5 rounded-control border border-line-strong bg-surface px-3 text-sm font-medium text-ink shadow-soft hover:bg-subtle disabled:opacity-60"
          >
            <StopIcon size={16} />
            {props.stopping ? "Stopping…" : "Stop"}
          </button>
        )}
        <button
          type="submit"
          data-testid="send-button"
          disabled={!canSend}
          aria-label={props.busy ? "Queue message" : props.sending ? "Sending…" : "Send message"}
          title={props.busy ? "Queue: sent when the agents are done (Enter)" : "Send (Enter)"}
          className="inline-flex h-9 min-w-9 items-center justify-center gap-1.5 rounded-control bg-primary px-2.5 text-sm font-medium text-on-primary shadow-soft transition-colors hover:bg-primary-hover disabled:cursor-not-allowed disabled:bg-line-strong disabled:text-ink-soft disabled:shadow-none"
        >
          {props.sending ? (
            <span className="h-4 w-4 animate-spin rounded-full border-2 border-white/40 border-t-white" aria-hidden />
          ) : (
            <SendIcon size={18} />
          )}
          <span className="hidden sm:inline">{props.sending ? "Sending" : props.busy ? "Queue" : "Send"}</span>
        </button>
      </div>
    </form>
  );
});

"use client";

import { useState } from "react";
import { agentTone, displayName } from "@/lib/client/agents";
import { formatClock, formatJson, formatLatency, previewJson } from "@/lib/client/format";
import type { Message } from "@/lib/contract/types";
import { ChevronIcon, WrenchIcon } from "./icons";
import { CopyButton } from "./Markdown";

function isErrorOutput(m: Message): boolean {
  if (m.metadata?.is_error === true) return true;
  const out = m.tool_output as Record<string, unknown> | null | undefined;
  return !!out && typeof out === "object" && !Array.isArray(out) && "error" in out && !!out.error;
}

/** A tool call as a compact, expandable card: name, input preview, status; details on demand. */
export function ToolCard({ m, runActive }: { m: Message; runActive: boolean }) {
  const [open, setOpen] = useState(false);
  const agent = m.agent?.name ?? "";
  const pending = m.metadata?.pending === true && runActive;
  const error = isErrorOutput(m);
  const name = m.tool_name || "tool";
  const input = m.tool_input;
  const output = m.tool_output ?? (m.content ? m.content : null);
  const latency = formatLatency(m.latency_ms);

  return (
    <div
      data-testid="tool-card"
      data-message-id={m.id}
      data-tool={name}
      data-state={pending ? "running" : error ? "error" : "done"}
      className={`tone-${agentTone(agent)} pl-11`}
    >
      <details
        open={open}
        onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
        className="group rounded-card border border-line bg-surface shadow-soft open:shadow-card"
      >
        <summary className="flex list-none items-center gap-2.5 rounded-card px-3 py-2 text-sm [&::-webkit-details-marker]:hidden">
          <span
            aria-hidden
            className="inline-flex h-6 w-6 shrink-0 items-center justify-center rounded-[7px]"
            style={{ background: "var(--tone-soft)", color: "var(--tone-ink)" }}
          >
            <WrenchIcon size={14} />
          </span>
          <span className="min-w-0 flex-1 truncate">
            <span data-testid="tool-card-name" className="font-mono text-[13px] font-semibold text-ink">
              {name}
            </span>
            {previewJson(input) && (
              <span className="ml-2 font-mono text-[12.5px] text-muted">{previewJson(input, 60)}</span>
            )}
          </span>
          {pending ? (
            <span className="inline-flex items-center gap-1.5 text-xs text-ink-soft">
              <span
                className="h-3 w-3 animate-spin rounded-full border-2 border-line-strong border-t-primary"
                aria-hidden
              />
              Running…
            </span>
          ) : error ? (
            <span className="rounded-full bg-danger-soft px-2 py-0.5 text-xs font-medium text-danger-ink">Error</span>
          ) : (
            <span className="rounded-full bg-success-soft px-2 py-0.5 text-xs font-medium text-success-ink">Done</span>
          )}
          <ChevronIcon size={16} className="shrink-0 text-muted transition-transform group-open:rotate-90" />
          <span className="sr-only">{open ? "Hide details" : "Show details"}</span>
        </summary>
        {open && (
          <div className="space-y-3 border-t border-line px-3 py-3 text-xs">
            <p className="text-ink-soft">
              {agent ? (
                <>
                  Used by{" "}
                  <span className="font-medium" style={{ color: "var(--tone-ink)" }}>
                    {displayName(agent)}
                  </span>
                </>
              ) : (
                "Tool call"
              )}
              {m.id > 0 && m.created_at && <> · {formatClock(m.created_at)}</>}
              {latency && <> · {latency}</>}
            </p>
            <Section title="Input" value={input} />
            <Section
              title={error ? "Error" : "Output"}
              value={pending && output == null ? "Waiting for the result…" : output}
            />
          </div>
        )}
      </details>
    </div>
  );
}

function Section({ title, value }: { title: string; value: unknown }) {
  const text = formatJson(value);
  return (
    <div>
      <div className="mb-1 flex items-center justify-between">
        <span className="font-semibold uppercase tracking-wide text-[10.5px] text-muted">{title}</span>
        <CopyButton getText={() => text} label="Copy" />
      </div>
      <pre
        tabIndex={0}
        className="scroll-calm max-h-64 overflow-auto rounded-control border border-line bg-code p-2.5 font-mono text-[12px] leading-relaxed text-ink whitespace-pre-wrap [overflow-wrap:anywhere]"
      >
        {text}
      </pre>
    </div>
  );
}

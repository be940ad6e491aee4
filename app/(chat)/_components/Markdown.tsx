"use client";

import { memo, useRef, useState } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { containerDepth, MAX_MARKDOWN_NESTING } from "@/lib/client/markdown-depth";
import { rehypeSoftBreaks } from "@/lib/client/soft-breaks";
import { markdownUrlTransform, safeHref } from "@/lib/client/urls";
import { CheckIcon, CopyIcon } from "./icons";

/*
 * Agent text is untrusted. Safety here rests on three things, keep all of them:
 * - no rehype-raw: react-markdown turns raw HTML into plain text, it never becomes elements;
 * - `urlTransform` keeps only absolute http/https/mailto URLs (everything else becomes "");
 * - links open with rel="noopener noreferrer"; images are never loaded (shown as links).
 */

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back below */
  }
  try {
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    return ok;
  } catch {
    return false;
  }
}

export function CopyButton({
  getText,
  label = "Copy",
  className = "",
  testId = "code-copy-button",
  title,
}: {
  getText: () => string;
  label?: string;
  className?: string;
  testId?: string;
  title?: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <button
      type="button"
      data-testid={testId}
      title={title}
      onClick={async () => {
        const ok = await copyText(getText());
        setState(ok ? "copied" : "failed");
        setTimeout(() => setState("idle"), 1600);
      }}
      className={`inline-flex h-7 items-center gap-1 rounded-[8px] px-2 text-xs font-medium text-ink-soft transition-colors hover:bg-surface hover:text-ink ${className}`}
    >
      {state === "copied" ? <CheckIcon size={14} className="text-success-ink" /> : <CopyIcon size={14} />}
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "failed" ? "Press Ctrl+C" : label}</span>
    </button>
  );
}

function CodeBlock({
  language: lang,
  children,
  ...rest
}: { language: string | null; children: React.ReactNode } & React.HTMLAttributes<HTMLPreElement>) {
  const ref = useRef<HTMLPreElement>(null);
  return (
    <div className="code-block" data-testid="code-block">
      <div className="flex items-center justify-between border-b border-line px-3 py-1">
        <span className="font-mono text-[11px] uppercase tracking-wide text-muted">{lang ?? "code"}</span>
        <CopyButton getText={() => ref.current?.textContent ?? ""} label="Copy code" />
      </div>
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: the label names this focusable scroll container for keyboard users (axe scrollable-region-focusable); it stays a plain <pre> rather than adding a landmark per code block. */}
      <pre ref={ref} tabIndex={0} aria-label={lang ? `${lang} code` : "Code"} {...rest}>
        {children}
      </pre>
    </div>
  );
}

function languageOf(node: unknown): string | null {
  const first = (node as { children?: { tagName?: string; properties?: { className?: unknown } }[] })?.children?.[0];
  if (first?.tagName !== "code") return null;
  const cls = first.properties?.className;
  const list = Array.isArray(cls) ? cls.map(String) : typeof cls === "string" ? cls.split(/\s+/) : [];
  const lang = list.find((c) => c.startsWith("language-"));
  return lang ? lang.slice("language-".length) : null;
}

const components: Components = {
  a({ href, children, node: _node, ...rest }) {
    void _node;
    const safe = safeHref(href);
    if (!safe) return <span className="underline decoration-dotted">{children}</span>;
    return (
      <a {...rest} href={safe} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    );
  },
  img({ src, alt }) {
    // Never load remote images from agent text (tracking, mixed content): show a link instead.
    const safe = typeof src === "string" ? safeHref(src) : null;
    const text = alt?.trim() ? `Image: ${alt}` : "Image";
    if (!safe) return <span className="text-muted">[{text}]</span>;
    return (
      <a href={safe} target="_blank" rel="noopener noreferrer">
        [{text}]
      </a>
    );
  },
  pre({ node, children, ...rest }) {
    return (
      <CodeBlock {...rest} language={languageOf(node)}>
        {children}
      </CodeBlock>
    );
  },
  table({ node: _node, children, ...rest }) {
    void _node;
    return (
      <section className="table-wrap" tabIndex={0} aria-label="Table">
        <table {...rest}>{children}</table>
      </section>
    );
  },
  input({ checked, type }) {
    // GFM task list boxes: shown, not interactive.
    if (type !== "checkbox") return null;
    return (
      <span role="img" aria-label={checked ? "done" : "not done"} className="mr-1.5 inline-block w-4 text-center">
        {checked ? "☑" : "☐"}
      </span>
    );
  },
};

const remarkPlugins = [remarkGfm];
const rehypePlugins = [rehypeSoftBreaks, [rehypeHighlight, { detect: false }]] as NonNullable<
  Parameters<typeof ReactMarkdown>[0]["rehypePlugins"]
>;

export const Markdown = memo(function Markdown({ text, className = "" }: { text: string; className?: string }) {
  if (containerDepth(text) > MAX_MARKDOWN_NESTING) {
    return (
      <div className={`prose-chat ${className}`} data-testid="message-content">
        <p className="whitespace-pre-wrap break-words">{text}</p>
      </div>
    );
  }
  return (
    <div className={`prose-chat ${className}`} data-testid="message-content">
      <ReactMarkdown
        remarkPlugins={remarkPlugins}
        rehypePlugins={rehypePlugins}
        components={components}
        urlTransform={markdownUrlTransform}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
});

"use client";

import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { ChevronIcon, DownloadIcon } from "./icons";
import { decodeParam } from "./shell-context";

const FORMATS = [
  { format: "md", label: "Export as Markdown" },
  { format: "json", label: "Export as JSON" },
] as const;

const itemsOf = (menu: HTMLElement | null) => [...(menu?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];

/**
 * "Export" for the open chat (a menu button: Enter/Space/↓ opens it on the first item, ↑/↓ move,
 * Esc closes and gives focus back). Each item is a plain download link to the export endpoint,
 * so the browser saves the file under the name the server gives. Nothing shows off a chat page.
 */
export function ExportMenu() {
  const match = /^\/c\/([^/]+)/.exec(usePathname() ?? "");
  const sessionId = decodeParam(match?.[1]);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    itemsOf(menu.current)[0]?.focus();
    const away = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [open]);

  if (!sessionId) return null;
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onMenuKey = (e: React.KeyboardEvent) => {
    const all = itemsOf(menu.current);
    const at = all.indexOf(document.activeElement as HTMLElement);
    const to = (i: number) => {
      e.preventDefault();
      all[(i + all.length) % all.length]?.focus();
    };
    if (e.key === "ArrowDown") to(at + 1);
    else if (e.key === "ArrowUp") to(at - 1);
    else if (e.key === "Home") to(0);
    else if (e.key === "End") to(all.length - 1);
    else if (e.key === "Escape" || e.key === "Tab") {
      if (e.key === "Escape") e.preventDefault();
      close();
    }
  };

  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        data-testid="export-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setOpen(true);
          }
        }}
        className="inline-flex h-9 min-w-9 items-center justify-center gap-1 rounded-control border border-line bg-surface px-2 text-sm font-medium text-ink-soft hover:bg-subtle hover:text-ink sm:px-2.5"
      >
        {/* On a phone's width the icon alone, so the header keeps every control in view. */}
        <DownloadIcon size={16} className="sm:hidden" />
        <span className="sr-only sm:not-sr-only">Export</span>
        <ChevronIcon size={14} className="hidden rotate-90 sm:block" />
      </button>
      {open && (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-label="Export this chat"
          tabIndex={-1}
          onKeyDown={onMenuKey}
          className="absolute right-0 top-full z-30 mt-1 w-52 rounded-card border border-line bg-surface p-1 shadow-pop"
        >
          {FORMATS.map(({ format, label }) => (
            <a
              key={format}
              role="menuitem"
              tabIndex={-1}
              data-testid={`export-${format}`}
              href={`/api/sessions/${encodeURIComponent(sessionId)}/export/?format=${format}`}
              download
              onClick={() => setOpen(false)}
              className="block rounded-control px-3 py-2 text-sm text-ink hover:bg-subtle focus:bg-subtle focus:outline-none"
            >
              {label}
            </a>
          ))}
        </div>
      )}
    </div>
  );
}

"use client";

import { useEffect, useId, useRef } from "react";
import { CloseIcon } from "./icons";

/** The keyboard shortcuts, as the dialog lists them (Mod is Ctrl, or ⌘ on a Mac). */
export const SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ["Enter"], what: "Send (while the agents work: queue it)" },
  { keys: ["Shift", "Enter"], what: "New line" },
  { keys: ["Mod", "Enter"], what: "Steer: send now as guidance to the agents at work" },
  { keys: ["Esc"], what: "Stop the agents" },
  { keys: ["↑"], what: "Edit your last message (in an empty box)" },
  { keys: ["Mod", "K"], what: "Search chats and messages" },
  { keys: ["Mod", "Shift", "O"], what: "New chat" },
  { keys: ["P"], what: "Pin or unpin the focused chat in the list" },
  { keys: ["?"], what: "This list (also Mod + /)" },
];

const isMac = () => typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/** The shortcuts list: a modal <dialog>; Esc or Close shut it and focus goes back where it was. */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const titleId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      returnTo.current = document.activeElement as HTMLElement | null;
      d.showModal();
      closeRef.current?.focus();
    } else if (!open && d.open) {
      d.close();
      returnTo.current?.focus();
    }
  }, [open]);

  const mod = isMac() ? "⌘" : "Ctrl";
  return (
    <dialog
      ref={ref}
      className="modal"
      data-testid="shortcuts-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <div className="p-5">
          <div className="flex items-center justify-between gap-3">
            <h2 id={titleId} className="text-base font-semibold text-ink">
              Keyboard shortcuts
            </h2>
            <button
              ref={closeRef}
              type="button"
              data-testid="shortcuts-close"
              onClick={onClose}
              aria-label="Close"
              className="-m-1 rounded-control p-1 text-ink-soft hover:bg-subtle hover:text-ink"
            >
              <CloseIcon size={18} />
            </button>
          </div>
          <dl className="mt-4 grid grid-cols-[auto_1fr] items-center gap-x-4 gap-y-2 text-sm">
            {SHORTCUTS.map((s) => (
              <div key={s.what} className="contents">
                <dt className="flex items-center gap-1 whitespace-nowrap">
                  {s.keys.map((k) => (
                    <kbd
                      key={k}
                      className="rounded-[6px] border border-line-strong bg-subtle px-1.5 py-0.5 font-mono text-xs text-ink"
                    >
                      {k === "Mod" ? mod : k}
                    </kbd>
                  ))}
                </dt>
                <dd className="text-ink-soft">{s.what}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </dialog>
  );
}

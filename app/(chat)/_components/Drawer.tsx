"use client";

import { type RefObject, useEffect, useRef } from "react";

/**
 * The sessions drawer for narrow screens: a modal <dialog>, so the page behind it is inert
 * (focus is trapped), Esc closes it, and focus returns to the button that opened it.
 * Its content is only mounted while open.
 */
export function Drawer(props: {
  open: boolean;
  onClose: () => void;
  returnFocusTo: RefObject<HTMLElement | null>;
  label: string;
  children: React.ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const { open, onClose, returnFocusTo } = props;

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click only catches the backdrop of the modal dialog; its keyboard equivalent is Escape, handled natively (onCancel).
    <dialog
      ref={ref}
      id="chats-drawer"
      data-testid="drawer"
      aria-label={props.label}
      className="drawer md:hidden"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClose={() => {
        if (open) onClose();
        // Return focus to the opener (the dialog may already have done so).
        const back = returnFocusTo.current;
        if (
          back &&
          document.activeElement !== back &&
          (document.activeElement === document.body || !document.activeElement)
        )
          back.focus();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === e.currentTarget) onClose();
      }}
    >
      {open && <div className="flex h-full flex-col">{props.children}</div>}
    </dialog>
  );
}

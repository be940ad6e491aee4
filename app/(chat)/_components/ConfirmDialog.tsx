"use client";

import { useEffect, useId, useRef } from "react";

/** A small accessible confirmation dialog (modal <dialog>; Esc cancels; focus starts on Cancel). */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  body: React.ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      d.showModal();
      cancelRef.current?.focus();
    } else if (!props.open && d.open) d.close();
  }, [props.open]);

  return (
    <dialog
      ref={ref}
      className="modal"
      data-testid="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      {props.open && (
        <div className="p-5">
          <h2 id={titleId} className="text-base font-semibold text-ink">
            {props.title}
          </h2>
          <div id={bodyId} className="mt-2 text-sm leading-relaxed text-ink-soft">
            {props.body}
          </div>
          <div className="mt-5 flex justify-end gap-2">
            <button
              ref={cancelRef}
              type="button"
              data-testid="confirm-cancel-button"
              onClick={props.onCancel}
              className="h-9 rounded-control border border-line bg-surface px-3.5 text-sm font-medium text-ink hover:bg-subtle"
            >
              Cancel
            </button>
            <button
              type="button"
              data-testid="confirm-delete-button"
              onClick={props.onConfirm}
              disabled={props.busy}
              className="h-9 rounded-control bg-danger-solid px-3.5 text-sm font-medium text-white shadow-soft hover:brightness-110 disabled:opacity-60"
            >
              {props.busy ? "Deleting…" : props.confirmLabel}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}

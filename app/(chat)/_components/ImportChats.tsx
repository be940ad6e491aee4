"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import { api, describeError, isApiError } from "@/lib/client/api";
import type { ImportReport } from "@/lib/contract/transfer";
import { chatHref, useShell } from "./shell-context";

type State =
  | { kind: "idle" }
  | { kind: "busy"; name: string }
  | { kind: "done"; report: ImportReport }
  | { kind: "error"; message: string };

const isReport = (v: unknown): v is ImportReport =>
  typeof v === "object" &&
  v !== null &&
  Array.isArray((v as ImportReport).imported) &&
  Array.isArray((v as ImportReport).failed);

/**
 * "Import chats…": a Tandem JSON export or ChatGPT's conversations.json, chosen with the file
 * picker and sent to `POST /api/import/`. The report (what was imported, left out, or failed)
 * is announced to screen readers and links to each new chat; the chat list is refreshed.
 */
export function ImportChats() {
  const shell = useShell();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<State>({ kind: "idle" });
  const reportId = useId();

  const upload = async (file: File) => {
    setState({ kind: "busy", name: file.name });
    let body: unknown;
    try {
      body = JSON.parse(await file.text());
    } catch {
      setState({ kind: "error", message: `${file.name} is not a JSON file.` });
      return;
    }
    try {
      const report = await api.request<ImportReport>("POST", "/import/", body, { timeoutMs: 300_000 });
      setState({ kind: "done", report });
      void shell.sessions.refresh();
    } catch (e) {
      if (isApiError(e) && isReport(e.body)) setState({ kind: "done", report: e.body });
      else setState({ kind: "error", message: describeError(e) });
    }
  };

  return (
    <div className="border-t border-line px-3 py-2.5" data-testid="import-chats">
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="import-file-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) void upload(file);
        }}
      />
      <button
        type="button"
        data-testid="import-button"
        onClick={() => input.current?.click()}
        disabled={state.kind === "busy"}
        aria-describedby={state.kind === "idle" ? undefined : reportId}
        className="inline-flex h-8 w-full items-center justify-center rounded-control border border-line bg-surface px-2.5 text-xs font-medium text-ink hover:bg-subtle disabled:opacity-60"
      >
        {state.kind === "busy" ? "Importing…" : "Import chats…"}
      </button>
      <div id={reportId} role="status" aria-live="polite" className="text-xs text-ink-soft">
        {state.kind === "busy" && <p className="mt-2">Importing {state.name}…</p>}
        {state.kind === "error" && (
          <p className="mt-2 text-danger-ink" data-testid="import-error">
            {state.message}
          </p>
        )}
        {state.kind === "done" && <Report report={state.report} onDismiss={() => setState({ kind: "idle" })} />}
      </div>
    </div>
  );
}

function Report({ report, onDismiss }: { report: ImportReport; onDismiss: () => void }) {
  const { imported, failed } = report;
  return (
    <div className="mt-2 rounded-card border border-line bg-page p-2.5" data-testid="import-report">
      <p className="font-medium text-ink">
        {imported.length} imported{failed.length > 0 ? `, ${failed.length} failed` : ""}
      </p>
      {imported.length > 0 && (
        <ul className="mt-1.5 space-y-1.5">
          {imported.map((chat) => (
            <li key={chat.session_id}>
              <Link href={chatHref(chat.session_id)} className="font-medium text-primary-ink underline">
                {chat.title}
              </Link>{" "}
              · {chat.messages} messages
              {chat.skipped.length > 0 && (
                <ul className="mt-0.5 list-disc pl-4">
                  {chat.skipped.map((s) => (
                    <li key={s.what}>
                      Left out {s.what}: {s.why}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {failed.length > 0 && (
        <ul className="mt-1.5 space-y-1 text-danger-ink">
          {failed.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: titles may repeat; the list never reorders.
            <li key={i}>
              {f.title}: {f.why}
            </li>
          ))}
        </ul>
      )}
      <button
        type="button"
        onClick={onDismiss}
        className="mt-2 text-xs font-medium text-ink-soft underline hover:text-ink"
      >
        Dismiss
      </button>
    </div>
  );
}

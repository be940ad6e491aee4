"use client";

import { useActionState, useState } from "react";
import {
  createKeyAction,
  revokeKeyAction,
  type SettingsState,
  shareAction,
  unshareAction,
} from "@/app/settings/actions";

const card = "rounded-card border border-line bg-surface p-5 shadow-card";
const input =
  "block w-full rounded-control border border-line-strong bg-surface px-3 py-2 text-sm text-ink shadow-soft focus:border-primary focus:outline-none focus:ring-2 focus:ring-primary-ring";
const primary =
  "inline-flex h-9 shrink-0 items-center rounded-control bg-primary px-3.5 text-sm font-medium text-on-primary shadow-soft hover:bg-primary-hover disabled:opacity-60";
const quiet =
  "inline-flex h-8 items-center rounded-control border border-line-strong px-2.5 text-sm text-ink-soft hover:bg-subtle hover:text-ink";

function ErrorLine({ state }: { state: SettingsState }) {
  if (!state.error) return null;
  return (
    <p
      role="alert"
      className="mt-3 rounded-control border border-danger bg-danger-soft px-3 py-2 text-sm text-danger-ink"
    >
      {state.error}
    </p>
  );
}

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      data-testid="sign-out"
      disabled={pending}
      className={quiet}
      onClick={async () => {
        setPending(true);
        await fetch("/api/auth/sign-out", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: "{}",
        }).catch(() => undefined);
        window.location.assign("/sign-in");
      }}
    >
      Sign out
    </button>
  );
}

/** One row's button that ends something (a key, a shared link): a form posting the row's id. */
function EndRowButton(props: {
  id: number;
  action: typeof revokeKeyAction;
  text: string;
  label: string;
  testId: string;
}) {
  const [state, action, pending] = useActionState(props.action, {});
  return (
    <form action={action}>
      <input type="hidden" name="id" value={props.id} />
      <button type="submit" className={quiet} disabled={pending} aria-label={props.label} data-testid={props.testId}>
        {props.text}
      </button>
      <ErrorLine state={state} />
    </form>
  );
}

export function KeysPanel(props: {
  keys: Array<{ id: number; name: string; prefix: string; created: string; lastUsed: string | null }>;
}) {
  const [state, action, pending] = useActionState(createKeyAction, {});
  return (
    <section className={card} aria-labelledby="keys-title">
      <h2 id="keys-title" className="text-lg font-semibold text-ink">
        Personal API keys
      </h2>
      <p className="mt-1 text-sm text-ink-soft">
        A key acts as you on the API and the WebSocket (
        <code className="font-mono text-xs">Authorization: Bearer …</code> or{" "}
        <code className="font-mono text-xs">?token=</code>) and sees only your chats.
      </p>
      <form action={action} className="mt-4 flex items-end gap-2">
        <div className="flex-1">
          <label htmlFor="key-name" className="mb-1 block text-sm font-medium text-ink">
            Name
          </label>
          <input
            id="key-name"
            name="name"
            maxLength={64}
            placeholder="laptop script"
            className={input}
            data-testid="key-name"
          />
        </div>
        <button type="submit" className={primary} disabled={pending} data-testid="key-create">
          Create key
        </button>
      </form>
      <ErrorLine state={state} />
      {state.key && (
        <div className="mt-4 rounded-control border border-line bg-primary-soft p-3" role="status">
          <p className="text-sm font-medium text-primary-ink">Copy this key now: it is not shown again.</p>
          <code data-testid="new-key" className="mt-2 block break-all font-mono text-xs text-ink">
            {state.key}
          </code>
        </div>
      )}
      <ul className="mt-4 divide-y divide-line" data-testid="key-list">
        {props.keys.length === 0 && <li className="py-2 text-sm text-muted">No keys yet.</li>}
        {props.keys.map((k) => (
          <li key={k.id} className="flex items-center gap-3 py-2" data-testid="key-row">
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium text-ink">{k.name || "Unnamed key"}</p>
              <p className="text-xs text-muted">
                <code className="font-mono">{k.prefix}…</code> · created {k.created} ·{" "}
                {k.lastUsed ? `last used ${k.lastUsed}` : "never used"}
              </p>
            </div>
            <EndRowButton
              id={k.id}
              action={revokeKeyAction}
              text="Revoke"
              label={`Revoke ${k.name || k.prefix}`}
              testId="key-revoke"
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SharePanel(props: {
  chats: Array<{ id: string; title: string }>;
  links: Array<{ id: number; path: string; title: string }>;
}) {
  const [state, action, pending] = useActionState(shareAction, {});
  return (
    <section className={card} aria-labelledby="share-title">
      <h2 id="share-title" className="text-lg font-semibold text-ink">
        Shared chats
      </h2>
      <p className="mt-1 text-sm text-ink-soft">
        A link shows the conversation, read-only, to anyone who has it, signed in or not. Stop sharing and the link
        stops working.
      </p>
      <form action={action} className="mt-4 flex items-end gap-2">
        <div className="min-w-0 flex-1">
          <label htmlFor="share-chat" className="mb-1 block text-sm font-medium text-ink">
            Chat
          </label>
          <select id="share-chat" name="session_id" className={input} data-testid="share-chat" required>
            {props.chats.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          className={primary}
          disabled={pending || props.chats.length === 0}
          data-testid="share-create"
        >
          Create link
        </button>
      </form>
      <ErrorLine state={state} />
      <ul className="mt-4 divide-y divide-line" data-testid="share-list">
        {props.links.length === 0 && <li className="py-2 text-sm text-muted">Nothing shared.</li>}
        {props.links.map((l) => (
          <li key={l.id} className="flex items-center gap-3 py-2" data-testid="share-row">
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium text-ink">{l.title}</p>
              <a
                href={l.path}
                className="break-all font-mono text-xs text-primary-ink hover:underline"
                data-testid="share-link"
              >
                {l.path}
              </a>
            </div>
            <EndRowButton
              id={l.id}
              action={unshareAction}
              text="Stop sharing"
              label={`Stop sharing ${l.title}`}
              testId="share-revoke"
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

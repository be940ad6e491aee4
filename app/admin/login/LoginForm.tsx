"use client";

import { useActionState, useRef } from "react";
import { useFormStatus } from "react-dom";
import { loginAction } from "@/app/admin/actions";

const input =
  "block w-full rounded-control border border-line-strong bg-surface px-3 py-2 text-sm text-ink shadow-soft focus:border-primary focus:outline-none focus:ring-2 focus:ring-primary-ring";

function Submit() {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      data-testid="login-submit"
      disabled={pending}
      className="inline-flex h-10 w-full items-center justify-center rounded-control bg-primary text-sm font-medium text-on-primary shadow-soft hover:bg-primary-hover disabled:opacity-60"
    >
      {pending ? "Signing in…" : "Sign in"}
    </button>
  );
}

export function LoginForm({ next }: { next: string }) {
  const [state, action] = useActionState(loginAction, {});
  // Counts answers, so a test (or a person) can tell a new refusal from the previous one.
  const answers = useRef({ state, n: 0 });
  if (answers.current.state !== state) answers.current = { state, n: answers.current.n + 1 };
  return (
    <form action={action} className="space-y-4" data-testid="login-form" data-answers={answers.current.n}>
      <input type="hidden" name="next" value={next} />
      {state.error && (
        <p
          role="alert"
          data-testid="login-error"
          className="rounded-control border border-danger bg-danger-soft px-3 py-2 text-sm text-danger-ink"
        >
          {state.error}
        </p>
      )}
      <div>
        <label htmlFor="admin-username" className="mb-1 block text-sm font-medium text-ink">
          Username
        </label>
        <input
          key={answers.current.n}
          id="admin-username"
          name="username"
          data-testid="login-username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
          defaultValue={state.values?.username}
          className={input}
        />
      </div>
      <div>
        <label htmlFor="admin-password" className="mb-1 block text-sm font-medium text-ink">
          Password
        </label>
        <input
          id="admin-password"
          name="password"
          type="password"
          data-testid="login-password"
          autoComplete="current-password"
          required
          className={input}
        />
      </div>
      <Submit />
    </form>
  );
}

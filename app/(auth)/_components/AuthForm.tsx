"use client";

import { useState } from "react";

const input =
  "block w-full rounded-control border border-line-strong bg-surface px-3 py-2 text-sm text-ink shadow-soft focus:border-primary focus:outline-none focus:ring-2 focus:ring-primary-ring";
const primary =
  "inline-flex h-10 w-full items-center justify-center rounded-control bg-primary text-sm font-medium text-on-primary shadow-soft hover:bg-primary-hover disabled:opacity-60";

/** Better Auth answers errors as `{message}` (or `{detail}` from Tandem's own 404). */
async function failure(res: Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { message?: string; detail?: string };
  if (res.status === 429) return "Too many attempts; wait a moment and try again.";
  return body.message || body.detail || `Something went wrong (${res.status}).`;
}

async function post(path: string, body: object): Promise<Response> {
  return fetch(`/api/auth/${path}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function Field(props: {
  id: string;
  label: string;
  hint?: string;
  type?: string;
  autoComplete: string;
  required?: boolean;
  autoFocus?: boolean;
}) {
  return (
    <div>
      <label htmlFor={props.id} className="mb-1 block text-sm font-medium text-ink">
        {props.label}
      </label>
      <input
        id={props.id}
        name={props.id}
        data-testid={`auth-${props.id}`}
        type={props.type ?? "text"}
        autoComplete={props.autoComplete}
        autoCapitalize="none"
        spellCheck={false}
        required={props.required}
        autoFocus={props.autoFocus}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        className={input}
      />
      {props.hint && (
        <p id={`${props.id}-hint`} className="mt-1 text-xs text-muted">
          {props.hint}
        </p>
      )}
    </div>
  );
}

/**
 * Sign-in (username or email, and password) or sign-up, posting to Better Auth's endpoints
 * (/api/auth/…); on success the session cookie is set and the page goes to `next`.
 */
export function AuthForm(props: {
  mode: "sign-in" | "sign-up";
  next: string;
  invite: boolean;
  sso: boolean;
  /** Why the last single sign-on failed, in the page's words. */
  initialError?: string;
}) {
  const [error, setError] = useState<string | null>(props.initialError ?? null);
  const [pending, setPending] = useState(false);

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim();
    const password = String(form.get("password") ?? "");
    setPending(true);
    setError(null);
    try {
      let res: Response;
      if (props.mode === "sign-in") {
        const id = value("identifier");
        res = id.includes("@")
          ? await post("sign-in/email", { email: id, password })
          : await post("sign-in/username", { username: id, password });
      } else {
        const username = value("username");
        res = await post("sign-up/email", {
          name: username,
          username,
          // An email is optional here; the account still needs a unique address of its own.
          email: value("email") || `${username.toLowerCase()}@users.invalid`,
          password,
          inviteCode: props.invite ? value("invite") : undefined,
        });
      }
      if (!res.ok) {
        setError(await failure(res));
        return;
      }
      window.location.assign(props.next);
    } catch {
      setError("The server could not be reached.");
    } finally {
      setPending(false);
    }
  }

  async function singleSignOn() {
    setPending(true);
    setError(null);
    // Better Auth serves generic OAuth providers through its social sign-in; a refusal comes back
    // to this page as ?error=<code>.
    const res = await post("sign-in/social", {
      provider: "oidc",
      callbackURL: props.next,
      errorCallbackURL: `/sign-in?next=${encodeURIComponent(props.next)}`,
    });
    const body = (await res.json().catch(() => ({}))) as { url?: string; message?: string };
    if (res.ok && body.url) window.location.assign(body.url);
    else {
      setError(body.message ?? "Single sign-on is not available.");
      setPending(false);
    }
  }

  const signIn = props.mode === "sign-in";
  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="space-y-4" data-testid="auth-form" noValidate={false}>
        {error && (
          <p
            role="alert"
            data-testid="auth-error"
            className="rounded-control border border-danger bg-danger-soft px-3 py-2 text-sm text-danger-ink"
          >
            {error}
          </p>
        )}
        {signIn ? (
          <Field id="identifier" label="Username or email" autoComplete="username" required autoFocus />
        ) : (
          <>
            <Field id="username" label="Username" autoComplete="username" required autoFocus />
            <Field id="email" label="Email (optional)" type="email" autoComplete="email" />
            {props.invite && <Field id="invite" label="Invite code" autoComplete="off" required />}
          </>
        )}
        <Field
          id="password"
          label="Password"
          type="password"
          autoComplete={signIn ? "current-password" : "new-password"}
          hint={signIn ? undefined : "At least 10 characters."}
          required
        />
        <button type="submit" data-testid="auth-submit" disabled={pending} className={primary}>
          {pending ? "One moment…" : signIn ? "Sign in" : "Create account"}
        </button>
      </form>
      {props.sso && (
        <button
          type="button"
          data-testid="auth-sso"
          onClick={singleSignOn}
          disabled={pending}
          className="inline-flex h-10 w-full items-center justify-center rounded-control border border-line-strong bg-surface text-sm font-medium text-ink shadow-soft hover:bg-subtle disabled:opacity-60"
        >
          Sign in with single sign-on
        </button>
      )}
    </div>
  );
}

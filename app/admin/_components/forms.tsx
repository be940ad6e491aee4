"use client";

/**
 * Admin forms in the browser: a server action through useActionState, with the state (field
 * errors, what was submitted) shared with the fields inside, so errors show beside each field
 * and a refused form keeps its input. Works without JavaScript too (plain form posts).
 */
import { createContext, type ReactNode, useActionState, useContext, useEffect, useId, useRef } from "react";
import { useFormStatus } from "react-dom";
import type { FormState } from "@/lib/admin/forms";

type Action = (state: FormState, form: FormData) => Promise<FormState>;

const FormCtx = createContext<{ state: FormState; version: number }>({ state: {}, version: 0 });

const CSRF_FIELD = "csrf_token";

const input =
  "block w-full rounded-control border border-line-strong bg-surface px-3 py-2 text-sm text-ink shadow-soft placeholder:text-muted focus:border-primary focus:outline-none focus:ring-2 focus:ring-primary-ring aria-[invalid=true]:border-danger";

export function ActionForm(props: {
  action: Action;
  csrf: string;
  children: ReactNode;
  testId?: string;
  className?: string;
  hidden?: Record<string, string | number>;
}) {
  const [state, formAction] = useActionState(props.action, {});
  const version = useRef(0);
  const last = useRef(state);
  if (last.current !== state) {
    last.current = state;
    version.current++;
  }
  return (
    <FormCtx.Provider value={{ state, version: version.current }}>
      <form
        action={formAction}
        data-testid={props.testId}
        data-answers={version.current}
        className={props.className ?? "space-y-4"}
        noValidate
      >
        <input type="hidden" name={CSRF_FIELD} value={props.csrf} />
        {Object.entries(props.hidden ?? {}).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={String(v)} />
        ))}
        <FormMessage />
        {props.children}
      </form>
    </FormCtx.Provider>
  );
}

function FormMessage() {
  const { state } = useContext(FormCtx);
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (state.error) ref.current?.focus();
  }, [state]);
  if (state.error) {
    return (
      <p
        ref={ref}
        tabIndex={-1}
        role="alert"
        data-testid="form-error"
        className="rounded-control border border-danger bg-danger-soft px-3 py-2 text-sm text-danger-ink"
      >
        {state.error}
      </p>
    );
  }
  if (state.notice) {
    return (
      <p
        role="status"
        data-testid="form-notice"
        className="rounded-control border border-success bg-success-soft px-3 py-2 text-sm text-success-ink"
      >
        {state.notice}
      </p>
    );
  }
  return null;
}

function useField(name: string) {
  const { state, version } = useContext(FormCtx);
  const id = useId();
  const errors = state.fields?.[name];
  return { id, errors, submitted: state.values?.[name], version, errorId: `${id}-error` };
}

function Errors({ id, errors, name }: { id: string; errors?: string[]; name: string }) {
  if (!errors?.length) return null;
  return (
    <p id={id} data-testid={`field-error-${name}`} className="mt-1 text-xs font-medium text-danger-ink">
      {errors.join(" ")}
    </p>
  );
}

/** A field's errors where the field is a composite the form builds itself (e.g. a team's members). */
export function FieldErrors({ name }: { name: string }) {
  const f = useField(name);
  return <Errors id={f.errorId} errors={f.errors} name={name} />;
}

function Label({ htmlFor, label, hint }: { htmlFor: string; label: string; hint?: ReactNode }) {
  return (
    <label htmlFor={htmlFor} className="mb-1 block text-sm font-medium text-ink">
      {label}
      {hint && <span className="ml-1.5 font-normal text-muted">{hint}</span>}
    </label>
  );
}

export function TextField(props: {
  name: string;
  label: string;
  defaultValue?: string | number;
  hint?: ReactNode;
  type?: "text" | "password" | "number";
  autoComplete?: string;
  placeholder?: string;
  autoFocus?: boolean;
  /** The id of a <datalist> of suggestions. */
  list?: string;
}) {
  const f = useField(props.name);
  return (
    <div>
      <Label htmlFor={f.id} label={props.label} hint={props.hint} />
      <input
        key={f.version}
        id={f.id}
        name={props.name}
        type={props.type ?? "text"}
        data-testid={`input-${props.name}`}
        defaultValue={props.type === "password" ? undefined : (f.submitted ?? props.defaultValue)}
        autoComplete={props.autoComplete ?? "off"}
        placeholder={props.placeholder}
        autoFocus={props.autoFocus}
        list={props.list}
        aria-invalid={f.errors ? true : undefined}
        aria-describedby={f.errors ? f.errorId : undefined}
        className={input}
      />
      <Errors id={f.errorId} errors={f.errors} name={props.name} />
    </div>
  );
}

export function TextArea(props: {
  name: string;
  label: string;
  defaultValue?: string;
  hint?: ReactNode;
  rows?: number;
  mono?: boolean;
}) {
  const f = useField(props.name);
  return (
    <div>
      <Label htmlFor={f.id} label={props.label} hint={props.hint} />
      <textarea
        key={f.version}
        id={f.id}
        name={props.name}
        data-testid={`input-${props.name}`}
        rows={props.rows ?? 5}
        defaultValue={f.submitted ?? props.defaultValue}
        aria-invalid={f.errors ? true : undefined}
        aria-describedby={f.errors ? f.errorId : undefined}
        className={`${input} ${props.mono ? "font-mono text-xs leading-relaxed" : ""}`}
        spellCheck={props.mono ? false : undefined}
      />
      <Errors id={f.errorId} errors={f.errors} name={props.name} />
    </div>
  );
}

export function Checkbox(props: { name: string; label: string; defaultChecked?: boolean; hint?: ReactNode }) {
  const f = useField(props.name);
  const { state } = useContext(FormCtx);
  const checked = state.values ? state.values[props.name] === "on" : props.defaultChecked;
  return (
    <div>
      <label className="inline-flex items-center gap-2 text-sm font-medium text-ink">
        <input
          key={f.version}
          type="checkbox"
          name={props.name}
          data-testid={`input-${props.name}`}
          defaultChecked={checked}
          className="h-4 w-4 rounded border-line-strong accent-primary"
        />
        {props.label}
        {props.hint && <span className="font-normal text-muted">{props.hint}</span>}
      </label>
      <Errors id={f.errorId} errors={f.errors} name={props.name} />
    </div>
  );
}

/** A group of checkboxes sharing one name (e.g. the tools of an assignment). */
export function CheckboxGroup(props: {
  name: string;
  label: string;
  options: Array<{ value: string; label: ReactNode; testId?: string }>;
  defaultValues: string[];
}) {
  const f = useField(props.name);
  const { state } = useContext(FormCtx);
  const chosen = new Set(state.values ? (state.values[props.name] ?? "").split(",") : props.defaultValues);
  return (
    <fieldset>
      <legend className="mb-1 text-sm font-medium text-ink">{props.label}</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-1.5">
        {props.options.map((o) => (
          <label key={o.value} className="inline-flex items-center gap-1.5 text-sm text-ink-soft">
            <input
              key={f.version}
              type="checkbox"
              name={props.name}
              value={o.value}
              data-testid={o.testId}
              defaultChecked={chosen.has(o.value)}
              className="h-4 w-4 rounded border-line-strong accent-primary"
            />
            {o.label}
          </label>
        ))}
        {props.options.length === 0 && <span className="text-sm text-muted">No tools defined yet.</span>}
      </div>
      <Errors id={f.errorId} errors={f.errors} name={props.name} />
    </fieldset>
  );
}

export function SelectField(props: {
  name: string;
  label: string;
  options: Array<[string, string]>;
  defaultValue?: string;
}) {
  const f = useField(props.name);
  return (
    <div>
      <Label htmlFor={f.id} label={props.label} />
      <select
        key={f.version}
        id={f.id}
        name={props.name}
        data-testid={`input-${props.name}`}
        defaultValue={f.submitted ?? props.defaultValue}
        aria-invalid={f.errors ? true : undefined}
        className={input}
      >
        {props.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      <Errors id={f.errorId} errors={f.errors} name={props.name} />
    </div>
  );
}

export function SubmitButton(props: {
  children: ReactNode;
  testId?: string;
  kind?: "primary" | "danger" | "secondary";
  pendingText?: string;
}) {
  const { pending } = useFormStatus();
  const kind = props.kind ?? "primary";
  const cls =
    kind === "danger"
      ? "bg-danger-solid text-white hover:brightness-110"
      : kind === "secondary"
        ? "border border-line bg-surface text-ink hover:bg-subtle"
        : "bg-primary text-on-primary hover:bg-primary-hover";
  return (
    <button
      type="submit"
      disabled={pending}
      data-testid={props.testId}
      className={`inline-flex h-9 items-center justify-center rounded-control px-3.5 text-sm font-medium shadow-soft disabled:opacity-60 ${cls}`}
    >
      {pending ? (props.pendingText ?? "Saving…") : props.children}
    </button>
  );
}

/**
 * A delete (or other irreversible) form: the button opens a confirmation dialog whose confirm
 * button submits; a refusal (e.g. "assigned to 2 sessions") shows above the button.
 */
export function ConfirmForm(props: {
  action: Action;
  csrf: string;
  hidden?: Record<string, string | number>;
  label: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  testId: string;
  compact?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  return (
    <ActionForm
      action={props.action}
      csrf={props.csrf}
      hidden={props.hidden}
      testId={`${props.testId}-form`}
      className={props.compact ? "inline-block" : "space-y-2"}
    >
      <button
        type="button"
        data-testid={`${props.testId}-button`}
        onClick={() => ref.current?.showModal()}
        className={
          props.compact
            ? "rounded-control px-2 py-1 text-sm font-medium text-danger-ink hover:bg-danger-soft"
            : "inline-flex h-9 items-center justify-center rounded-control border border-danger bg-surface px-3.5 text-sm font-medium text-danger-ink hover:bg-danger-soft"
        }
      >
        {props.label}
      </button>
      <dialog ref={ref} className="modal" data-testid="confirm-dialog" aria-label={props.title}>
        <div className="p-5">
          <h2 className="text-base font-semibold text-ink">{props.title}</h2>
          <div className="mt-2 text-sm leading-relaxed text-ink-soft">{props.body}</div>
          <div className="mt-5 flex justify-end gap-2">
            <button
              type="button"
              data-testid="confirm-cancel-button"
              onClick={() => ref.current?.close()}
              className="h-9 rounded-control border border-line bg-surface px-3.5 text-sm font-medium text-ink hover:bg-subtle"
            >
              Cancel
            </button>
            <button
              type="submit"
              data-testid="confirm-delete-button"
              onClick={() => ref.current?.close()}
              className="h-9 rounded-control bg-danger-solid px-3.5 text-sm font-medium text-white shadow-soft hover:brightness-110"
            >
              {props.confirmLabel}
            </button>
          </div>
        </div>
      </dialog>
    </ActionForm>
  );
}

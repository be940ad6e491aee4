/**
 * Admin forms on the server: FormData → the API's zod schemas (the same objects and wording the
 * REST API uses) → field errors shown inline, and the wrapper every server action runs in.
 */
import { notFound, unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { parse } from "@/lib/contract/validation";
import { type FieldErrors, isTandemError, TandemError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { AdminSession } from "./auth";
import { CSRF_FIELD, requireAdminAction } from "./next";

export interface FormState {
  /** A message for the whole form (a refusal, or a success note). */
  error?: string;
  notice?: string;
  fields?: FieldErrors;
  /** What was submitted, so a refused form keeps its input. */
  values?: Record<string, string>;
}

export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (key === CSRF_FIELD || key.startsWith("$ACTION") || typeof value !== "string") continue;
    values[key] = key in values ? `${values[key]},${value}` : value;
  }
  return values;
}

export const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

export const checkbox = (form: FormData, name: string) => form.get(name) === "on" || form.get(name) === "true";

export const integer = (form: FormData, name: string): number | string => {
  const v = text(form, name).trim();
  return /^-?\d{1,9}$/.test(v) ? Number(v) : v; // a non-number is left for the schema to refuse
};

export const integers = (form: FormData, name: string): number[] =>
  form.getAll(name).flatMap((v) => (typeof v === "string" && /^\d{1,9}$/.test(v) ? [Number(v)] : []));

/** A JSON text field, as text: parseForm reads it (empty is null, invalid JSON a field error). */
export const jsonText = (form: FormData, name: string) => new JsonText(text(form, name));

class JsonText {
  constructor(readonly raw: string) {}
}

/**
 * Validates with the API's schema, after reading JSON text fields; every problem (invalid JSON
 * or the schema's) is reported at once, on its field, in the API's wording.
 */
export function parseForm<S extends z.ZodType>(schema: S, data: Record<string, unknown>): z.output<S> {
  const fields: FieldErrors = {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!(value instanceof JsonText)) {
      values[key] = value;
      continue;
    }
    const raw = value.raw.trim();
    try {
      values[key] = raw === "" ? null : JSON.parse(raw);
    } catch (e) {
      fields[key] = [`Not valid JSON: ${e instanceof SyntaxError ? e.message : "parse error"}.`];
      values[key] = null;
    }
  }
  try {
    const parsed = parse(schema, values);
    if (Object.keys(fields).length === 0) return parsed;
  } catch (e) {
    if (!isTandemError(e) || !e.fields) throw e;
    for (const [k, v] of Object.entries(e.fields)) if (!fields[k]) fields[k] = v;
  }
  throw new TandemError("bad_request", "Invalid input.", { fields });
}

/**
 * The form an action was called with. A crafted request can call an action with anything (a
 * fetch action with other arguments, a no-JavaScript post naming a form-state action by its id,
 * which then gets the form as its previous state): no such action exists, so a 404, not a 500.
 */
export function submittedForm(form: unknown): FormData {
  if (!(form instanceof FormData)) notFound();
  return form;
}

/**
 * A server action for useActionState: checks origin, session and CSRF token, runs `work`, and
 * turns refusals into form state (field errors inline). Redirects pass through.
 */
export function adminAction(work: (admin: AdminSession, form: FormData) => Promise<FormState | undefined>) {
  return async (_previous: FormState, submitted: FormData): Promise<FormState> => {
    const form = submittedForm(submitted);
    try {
      const admin = await requireAdminAction(form);
      return (await work(admin, form)) ?? {};
    } catch (error) {
      unstable_rethrow(error);
      const values = formValues(form);
      if (isTandemError(error)) {
        return error.fields
          ? { fields: error.fields, values, error: "Please correct the errors below." }
          : { error: error.message, values };
      }
      log.error({ err: error }, "admin action failed");
      return { error: "Something went wrong; the change was not saved.", values };
    }
  };
}

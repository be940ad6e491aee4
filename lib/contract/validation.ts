/**
 * Validation: input checked against the contract's zod schemas, failures in the contract's
 * `{field: [messages]}` shape, worded like DRF. REST handlers and admin forms both go through it.
 */
import type { z } from "zod";
import { type FieldErrors, TandemError } from "@/lib/errors";
import { MAX_JSON_DEPTH, nestedDeeperThan, TOO_DEEP_MESSAGE } from "./schemas";

function message(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "This field is required.";
      if (issue.expected === "string") return "Not a valid string.";
      if (issue.expected === "boolean") return "Must be a valid boolean.";
      if (issue.expected === "number" || issue.expected === "int") return "A valid integer is required.";
      if (issue.expected === "record" || issue.expected === "object") return "Must be a JSON object or null.";
      return `Expected ${issue.expected}.`;
    case "too_big":
      if (issue.origin === "string") return `Ensure this field has no more than ${issue.maximum} characters.`;
      return `Ensure this value is less than or equal to ${issue.maximum}.`;
    case "too_small":
      if (issue.origin === "string") return "This field may not be blank.";
      return `Ensure this value is greater than or equal to ${issue.minimum}.`;
    case "invalid_value":
      if (issue.input === undefined) return "This field is required.";
      return `"${String(issue.input)}" is not a valid choice.`;
    default:
      return issue.message;
  }
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : "non_field_errors";
    (fields[key] ??= []).push(message(issue));
  }
  return fields;
}

export function parse<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  // Zod's recursive JSON schema would overflow the stack on very deep input: refuse it first.
  if (data !== null && typeof data === "object") {
    const deep = Object.entries(data).filter(([, v]) => nestedDeeperThan(v, MAX_JSON_DEPTH));
    if (deep.length > 0) {
      throw new TandemError("bad_request", "Invalid input.", {
        fields: Object.fromEntries(deep.map(([k]) => [k, [TOO_DEEP_MESSAGE]])),
      });
    }
  }
  const result = schema.safeParse(data, { reportInput: true });
  if (!result.success) {
    throw new TandemError("bad_request", "Invalid input.", { fields: fieldErrors(result.error) });
  }
  return result.data;
}

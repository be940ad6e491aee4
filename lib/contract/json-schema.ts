/**
 * "Is this a JSON Schema a tool can take as its parameters?" Checked with Ajv: the value is
 * validated against its dialect's meta-schema (2020-12 unless `$schema` names draft-07), then
 * compiled, which also catches unresolvable `$ref`s, bad regular expressions and, in strict
 * mode, unknown keywords (usually typos such as "requried"). Function-calling models need an
 * object at the top, so `type` must be "object".
 */
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";

const options = {
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allErrors: true,
  validateFormats: false,
} as const;

let validators: { draft2020: Ajv2020; draft7: Ajv } | undefined;
const ajv = () => (validators ??= { draft2020: new Ajv2020(options), draft7: new Ajv(options) });

const DRAFT_2020 = new Set([
  "https://json-schema.org/draft/2020-12/schema",
  "https://json-schema.org/draft/2020-12/schema#",
]);
const DRAFT_7 = new Set(["http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-07/schema#"]);

/** Problems with `schema` as a tool's parameter schema, in words; empty when it is fine. */
export function toolSchemaProblems(schema: unknown): string[] {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return ["The schema must be a JSON object."];
  }
  const declared = (schema as { $schema?: unknown }).$schema;
  let engine: Ajv | Ajv2020;
  if (declared === undefined || DRAFT_2020.has(String(declared))) engine = ajv().draft2020;
  else if (DRAFT_7.has(String(declared))) engine = ajv().draft7;
  else return [`Unsupported "$schema" ${JSON.stringify(declared)}: use draft 2020-12 (the default) or draft-07.`];

  if (!engine.validateSchema(schema)) {
    return (engine.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`.trim());
  }
  try {
    engine.compile(schema);
    // Compiled schemas are cached by content; drop it so edits never accumulate.
    engine.removeSchema(schema);
  } catch (e) {
    return [e instanceof Error ? e.message.replace(/^strict mode: /, "") : String(e)];
  }
  if ((schema as { type?: unknown }).type !== "object") {
    return ['A tool\'s parameters must be an object schema ("type": "object").'];
  }
  return [];
}

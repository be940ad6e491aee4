import type { Metadata } from "next";
import type { ReactNode } from "react";
import { CONTROL_FRAMES, EVENTS } from "@/lib/contract/events";
import { openApiDocument } from "@/lib/contract/openapi";

export const metadata: Metadata = { title: "Tandem API" };
// Rendered per request like every page, so its scripts carry the CSP nonce (proxy.ts). Drawn from
// the OpenAPI document and the event map, in the design system's tokens (light and dark).

type Schema = Record<string, unknown>;
interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Schema }>;
  requestBody?: { content: { "application/json": { schema: Schema } } };
  responses: Record<string, { description: string; content?: { "application/json": { schema: Schema } } }>;
}
interface Doc {
  info: { title: string; description: string };
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema & { examples?: unknown[] }> };
}

const METHOD_STYLE: Record<string, string> = {
  get: "bg-primary-soft text-primary-ink",
  post: "bg-secondary-soft text-secondary-ink",
  put: "bg-success-soft text-success-ink",
  patch: "bg-success-soft text-success-ink",
  delete: "bg-danger-soft text-danger-ink",
};

const code = "rounded bg-subtle px-1 py-0.5 font-mono text-[0.9em] text-ink";
const link = "text-primary-ink underline underline-offset-2";

/** Text with `code` spans, as the contract's descriptions are written. */
function Prose({ text }: { text: string }) {
  const parts = text.split("`");
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the fragments of one string, in order.
          <code key={i} className={code}>
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

const schemaName = (schema: Schema | undefined): string => {
  if (!schema) return "";
  if (typeof schema.$ref === "string") return schema.$ref.split("/").pop()!;
  if (schema.type === "array" && schema.items) return `${schemaName(schema.items as Schema)}[]`;
  if (Array.isArray(schema.oneOf)) return (schema.oneOf as Schema[]).map(schemaName).join(" | ");
  return String(schema.type ?? "object");
};

const anchor = (op: Operation) => `op-${op.operationId}`;

function curl(doc: Doc, path: string, method: string, op: Operation): string {
  const url = path.replace("{session_id}", "my-chat").replace("{id}", "1");
  const lines = [`curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "$TANDEM_URL${url}"`];
  if (op.security === undefined) lines.push(`  -H "Authorization: Bearer $TANDEM_API_KEY"`);
  const body = op.requestBody?.content["application/json"].schema;
  if (body) {
    const example = doc.components.schemas[schemaName(body)]?.examples?.[0] ?? {};
    lines.push(`  -H "Content-Type: application/json"`, `  -d '${JSON.stringify(example)}'`);
  }
  return lines.join(" \\\n");
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-6 pt-10">
      <h2 id={`${id}-title`} className="text-xl font-semibold tracking-tight text-ink">
        {title}
      </h2>
      <div className="mt-3 space-y-3 text-sm leading-6 text-ink-soft">{children}</div>
    </section>
  );
}

export default function DocsPage() {
  const doc = openApiDocument() as unknown as Doc;
  const byTag = doc.tags.map((tag) => ({
    ...tag,
    ops: Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.tags[0] === tag.name)
        .map(([method, op]) => ({ path, method, op })),
    ),
  }));
  const guide = [
    { id: "basics", title: "Basics" },
    { id: "auth", title: "Authentication" },
    { id: "limits", title: "Rate limits" },
    { id: "errors", title: "Errors" },
  ];
  return (
    <div className="min-h-dvh bg-page text-ink">
      <div className="mx-auto flex max-w-6xl gap-10 px-5 py-10 lg:px-8">
        <nav aria-label="Contents" className="hidden w-56 shrink-0 lg:block">
          <div className="sticky top-6 max-h-[calc(100dvh-3rem)] overflow-y-auto text-sm">
            <p className="font-semibold text-ink">Contents</p>
            <ul className="mt-2 space-y-1">
              {guide.map((g) => (
                <li key={g.id}>
                  <a className="text-ink-soft hover:text-primary-ink" href={`#${g.id}`}>
                    {g.title}
                  </a>
                </li>
              ))}
              {byTag.map((tag) => (
                <li key={tag.name}>
                  <a className="capitalize text-ink-soft hover:text-primary-ink" href={`#tag-${tag.name}`}>
                    {tag.name}
                  </a>
                  <ul className="ml-3 mt-1 space-y-1 border-l border-line pl-3">
                    {tag.ops.map(({ op }) => (
                      <li key={op.operationId}>
                        <a className="text-muted hover:text-primary-ink" href={`#${anchor(op)}`}>
                          {op.operationId}
                        </a>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
              <li>
                <a className="text-ink-soft hover:text-primary-ink" href="#websocket">
                  WebSocket events
                </a>
              </li>
              <li>
                <a className="text-ink-soft hover:text-primary-ink" href="#schemas">
                  Schemas
                </a>
              </li>
            </ul>
          </div>
        </nav>

        <main className="min-w-0 flex-1">
          <h1 className="text-3xl font-semibold tracking-tight text-ink">{doc.info.title}</h1>
          <p className="mt-3 text-ink-soft">
            <Prose text={doc.info.description} />
          </p>
          <p className="mt-2 text-sm text-ink-soft">
            Machine-readable:{" "}
            <a className={link} href="/api/openapi.json">
              /api/openapi.json
            </a>{" "}
            (OpenAPI 3.1; generate a client from it, e.g. with openapi-typescript and openapi-fetch).
          </p>

          <Section id="basics" title="Basics">
            <p>
              Send JSON with <code className={code}>Content-Type: application/json</code>; every answer is JSON. Paths
              work with or without the <code className={code}>/api</code> prefix and the trailing slash, and repeated
              slashes count as one; nothing redirects. The examples use{" "}
              <code className={code}>TANDEM_URL=http://localhost:3000</code>.
            </p>
          </Section>
          <Section id="auth" title="Authentication">
            <p>
              Open by default. When the server sets <code className={code}>TANDEM_API_KEYS</code>, every path except
              health and readiness needs <code className={code}>Authorization: Bearer &lt;key&gt;</code> (the WebSocket
              also takes <code className={code}>?token=&lt;key&gt;</code>); a missing or wrong key answers 401 with a{" "}
              <code className={code}>WWW-Authenticate</code> header.
            </p>
          </Section>
          <Section id="limits" title="Rate limits">
            <p>
              When the server sets <code className={code}>TANDEM_SEND_RATE</code> (for example{" "}
              <code className={code}>30/min</code>), sends over the rate answer 429 with{" "}
              <code className={code}>Retry-After</code> in seconds, per API key or per client address. Bodies are at
              most 1 MiB (413).
            </p>
          </Section>
          <Section id="errors" title="Errors">
            <p>
              Errors are <code className={code}>{'{"detail": "..."}'}</code>, or for invalid fields{" "}
              <code className={code}>{'{"field": ["message", ...]}'}</code>, with a 4xx status; malformed JSON and
              over-long values are 400, never 500. An unknown path under <code className={code}>/api/</code> is a JSON
              404.
            </p>
          </Section>

          {byTag.map((tag) => (
            <Section key={tag.name} id={`tag-${tag.name}`} title={tag.name.charAt(0).toUpperCase() + tag.name.slice(1)}>
              <p>{tag.description}</p>
              {tag.ops.map(({ path, method, op }) => (
                <article
                  key={op.operationId}
                  id={anchor(op)}
                  data-testid="operation"
                  aria-labelledby={`${anchor(op)}-title`}
                  className="scroll-mt-6 rounded-card border border-line bg-surface p-5 shadow-soft"
                >
                  <header className="flex flex-wrap items-center gap-3">
                    <span className={`rounded-md px-2 py-0.5 text-xs font-bold uppercase ${METHOD_STYLE[method]}`}>
                      {method}
                    </span>
                    <code className="break-all font-mono text-sm text-ink">{path}</code>
                    <span className="text-xs text-muted">{op.operationId}</span>
                  </header>
                  <h3 id={`${anchor(op)}-title`} className="mt-2 font-medium text-ink">
                    <Prose text={op.summary} />
                  </h3>
                  {op.description && (
                    <p className="mt-1">
                      <Prose text={op.description} />
                    </p>
                  )}
                  {op.parameters && (
                    <table className="mt-3 w-full text-left text-sm [overflow-wrap:anywhere]">
                      <thead className="text-muted">
                        <tr>
                          <th className="py-1 pr-4 font-medium">Parameter</th>
                          <th className="py-1 pr-4 font-medium">In</th>
                          <th className="py-1 font-medium">Type</th>
                        </tr>
                      </thead>
                      <tbody>
                        {op.parameters.map((p) => (
                          <tr key={p.in + p.name} className="border-t border-line">
                            <td className="py-1 pr-4 font-mono text-ink">
                              {p.name}
                              {p.required ? " (required)" : ""}
                            </td>
                            <td className="py-1 pr-4">{p.in}</td>
                            <td className="py-1 font-mono">{schemaName(p.schema)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                  {op.requestBody && (
                    <p className="mt-3">
                      Body:{" "}
                      <a
                        className={`font-mono ${link}`}
                        href={`#schema-${schemaName(op.requestBody.content["application/json"].schema)}`}
                      >
                        {schemaName(op.requestBody.content["application/json"].schema)}
                      </a>
                    </p>
                  )}
                  <ul className="mt-3 space-y-1">
                    {Object.entries(op.responses).map(([status, r]) => (
                      <li key={status}>
                        <span className="font-mono font-semibold text-ink">{status}</span>{" "}
                        <Prose text={r.description} />
                        {r.content && (
                          <span className="font-mono"> — {schemaName(r.content["application/json"].schema)}</span>
                        )}
                      </li>
                    ))}
                  </ul>
                  <pre
                    data-testid="curl"
                    className="mt-3 whitespace-pre-wrap break-all rounded-control border border-line bg-code p-3 font-mono text-xs text-ink"
                  >
                    {curl(doc, path, method, op)}
                  </pre>
                </article>
              ))}
            </Section>
          ))}

          <Section id="websocket" title="WebSocket events">
            <p>
              Connect to <code className={code}>/ws/chat/{"{session_id}"}/</code>. Every broadcast is{" "}
              <code className={code}>{'{"event", "payload", "seq"}'}</code>; reconnect with{" "}
              <code className={code}>?since=&lt;seq&gt;</code> to receive what you missed first. Compat events are the
              old backend&apos;s; ext ones are Tandem&apos;s additions.
            </p>
            <table className="w-full text-left [overflow-wrap:anywhere]">
              <thead className="text-muted">
                <tr>
                  <th className="py-1 pr-4 font-medium">Frame</th>
                  <th className="py-1 font-medium">Payload and meaning</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(CONTROL_FRAMES).map(([name, text]) => (
                  <tr key={name} className="border-t border-line">
                    <td className="py-1.5 pr-4 align-top font-mono text-ink">{name}</td>
                    <td className="py-1.5">
                      <Prose text={text} />
                    </td>
                  </tr>
                ))}
                {Object.entries(EVENTS).map(([name, spec]) => (
                  <tr key={name} className="border-t border-line" data-testid="event-row">
                    <td className="py-1.5 pr-4 align-top font-mono text-ink">{name}</td>
                    <td className="py-1.5">
                      <span className="mr-2 text-xs font-semibold uppercase text-muted">
                        {spec.compat ? "compat" : "ext"}
                      </span>
                      <code className={code}>{`{${Object.keys(spec.payload.shape).join(", ")}}`}</code> —{" "}
                      <Prose text={spec.description} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>

          <Section id="schemas" title="Schemas">
            {Object.entries(doc.components.schemas).map(([name, schema]) => (
              <details key={name} id={`schema-${name}`} className="rounded-control border border-line bg-surface p-4">
                <summary className="cursor-pointer font-mono font-medium text-ink">{name}</summary>
                <pre className="mt-3 whitespace-pre-wrap break-all font-mono text-xs text-ink">
                  {JSON.stringify(schema, null, 2)}
                </pre>
              </details>
            ))}
          </Section>
        </main>
      </div>
    </div>
  );
}

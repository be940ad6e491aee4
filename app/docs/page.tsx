import type { Metadata } from "next";
import { CONTROL_FRAMES, EVENTS } from "@/lib/contract/events";
import { openApiDocument } from "@/lib/contract/openapi";

export const metadata: Metadata = { title: "Tandem API" };
// Rendered per request like every page, so its scripts carry the CSP nonce (proxy.ts).

type Schema = Record<string, unknown>;
interface Operation {
  tags: string[];
  summary: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Schema }>;
  requestBody?: { content: { "application/json": { schema: Schema } } };
  responses: Record<string, { description: string; content?: { "application/json": { schema: Schema } } }>;
}
interface Doc {
  info: { title: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const METHOD_STYLE: Record<string, string> = {
  get: "bg-blue-50 text-blue-800 ring-blue-200",
  post: "bg-amber-50 text-amber-900 ring-amber-200",
  put: "bg-violet-50 text-violet-800 ring-violet-200",
  patch: "bg-violet-50 text-violet-800 ring-violet-200",
  delete: "bg-red-50 text-red-800 ring-red-200",
};

function schemaName(schema: Schema | undefined): string {
  if (!schema) return "";
  if (typeof schema.$ref === "string") return schema.$ref.split("/").pop()!;
  if (schema.type === "array" && schema.items) return `${schemaName(schema.items as Schema)}[]`;
  return String(schema.type ?? "object");
}

export default function DocsPage() {
  const doc = openApiDocument() as unknown as Doc;
  const byTag = new Map<string, Array<{ path: string; method: string; op: Operation }>>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags[0];
      byTag.set(tag, [...(byTag.get(tag) ?? []), { path, method, op }]);
    }
  }
  return (
    <main className="mx-auto max-w-4xl px-6 py-10 text-gray-900">
      <h1 className="text-3xl font-semibold tracking-tight">{doc.info.title}</h1>
      <p className="mt-3 text-gray-600">{doc.info.description}</p>
      <p className="mt-2 text-sm">
        Machine-readable:{" "}
        <a className="text-blue-700 underline" href="/api/openapi.json">
          /api/openapi.json
        </a>{" "}
        (OpenAPI 3.1).
      </p>

      {[...byTag.entries()].map(([tag, ops]) => (
        <section key={tag} className="mt-10">
          <h2 className="text-xl font-semibold capitalize">{tag}</h2>
          <div className="mt-4 space-y-4">
            {ops.map(({ path, method, op }) => (
              <article
                key={method + path}
                id={`${method}-${path}`}
                className="rounded-[14px] border border-gray-200 bg-white p-5 shadow-sm"
              >
                <header className="flex flex-wrap items-center gap-3">
                  <span className={`rounded-md px-2 py-0.5 text-xs font-bold uppercase ring-1 ${METHOD_STYLE[method]}`}>
                    {method}
                  </span>
                  <code className="font-mono text-sm">{path}</code>
                </header>
                <p className="mt-2 font-medium">{op.summary}</p>
                {op.description && <p className="mt-1 text-sm text-gray-600">{op.description}</p>}
                {op.parameters && (
                  <table className="mt-3 w-full text-left text-sm">
                    <thead className="text-gray-500">
                      <tr>
                        <th className="py-1 pr-4 font-medium">Parameter</th>
                        <th className="py-1 pr-4 font-medium">In</th>
                        <th className="py-1 font-medium">Type</th>
                      </tr>
                    </thead>
                    <tbody>
                      {op.parameters.map((p) => (
                        <tr key={p.in + p.name} className="border-t border-gray-100">
                          <td className="py-1 pr-4 font-mono">
                            {p.name}
                            {p.required ? " *" : ""}
                          </td>
                          <td className="py-1 pr-4">{p.in}</td>
                          <td className="py-1 font-mono text-gray-700">{schemaName(p.schema)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {op.requestBody && (
                  <p className="mt-3 text-sm">
                    Body:{" "}
                    <a
                      className="font-mono text-blue-700 underline"
                      href={`#schema-${schemaName(op.requestBody.content["application/json"].schema)}`}
                    >
                      {schemaName(op.requestBody.content["application/json"].schema)}
                    </a>
                  </p>
                )}
                <ul className="mt-3 space-y-1 text-sm">
                  {Object.entries(op.responses).map(([status, r]) => (
                    <li key={status}>
                      <span className="font-mono font-semibold">{status}</span> {r.description}
                      {r.content && (
                        <span className="font-mono text-gray-600">
                          {" "}
                          — {schemaName(r.content["application/json"].schema)}
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
              </article>
            ))}
          </div>
        </section>
      ))}

      <section className="mt-10">
        <h2 className="text-xl font-semibold">WebSocket</h2>
        <p className="mt-2 text-sm text-gray-600">
          <code className="font-mono">/ws/chat/{"{session_id}"}/</code> — every broadcast is{" "}
          <code className="font-mono">{'{"event", "payload", "seq"}'}</code>; reconnect with{" "}
          <code className="font-mono">?since=&lt;seq&gt;</code> to receive what you missed first.
        </p>
        <table className="mt-3 w-full text-left text-sm">
          <tbody>
            {Object.entries(CONTROL_FRAMES).map(([name, text]) => (
              <tr key={name} className="border-t border-gray-100">
                <td className="py-1.5 pr-4 align-top font-mono">{name}</td>
                <td className="py-1.5 text-gray-700">{text}</td>
              </tr>
            ))}
            {Object.entries(EVENTS).map(([name, spec]) => (
              <tr key={name} className="border-t border-gray-100">
                <td className="py-1.5 pr-4 align-top font-mono">{name}</td>
                <td className="py-1.5 text-gray-700">
                  <span className="mr-2 text-xs font-semibold uppercase text-gray-500">
                    {spec.compat ? "compat" : "ext"}
                  </span>
                  <code className="font-mono">{`{${Object.keys(spec.payload.shape).join(", ")}}`}</code> —{" "}
                  {spec.description}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="mt-10">
        <h2 className="text-xl font-semibold">Schemas</h2>
        {Object.entries(doc.components.schemas).map(([name, schema]) => (
          <details key={name} id={`schema-${name}`} className="mt-3 rounded-[10px] border border-gray-200 bg-white p-4">
            <summary className="cursor-pointer font-mono font-medium">{name}</summary>
            <pre className="mt-3 overflow-x-auto text-xs text-gray-800">{JSON.stringify(schema, null, 2)}</pre>
          </details>
        ))}
      </section>
    </main>
  );
}

/**
 * A tiny rehype plugin: single newlines inside text become <br> (as in most chat apps, where
 * models write "Question: …\nType: …" and expect two lines). Code (<pre>, <code>) is untouched,
 * and newlines that only separate blocks (e.g. in loose lists) are left alone.
 * Hand-written over the hast shape to avoid depending on transitive packages.
 */
import { trimEndWhile, trimStartWhile } from "@/lib/text";

interface HText {
  type: "text";
  value: string;
}
interface HElement {
  type: "element";
  tagName: string;
  properties: Record<string, unknown>;
  children: HNode[];
}
type HNode = HText | HElement | { type: string; children?: HNode[] };

const BLOCK = new Set([
  "p",
  "div",
  "ul",
  "ol",
  "li",
  "pre",
  "blockquote",
  "table",
  "thead",
  "tbody",
  "tr",
  "td",
  "th",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "section",
  "details",
  "summary",
  "dl",
  "dt",
  "dd",
]);
const SKIP = new Set(["pre", "code", "script", "style", "textarea"]);

const br = (): HElement => ({ type: "element", tagName: "br", properties: {}, children: [] });

function isInline(n: HNode | undefined): boolean {
  if (!n) return false;
  if (n.type === "text") return true;
  return n.type === "element" && !BLOCK.has((n as HElement).tagName);
}

function walk(parent: { children?: HNode[] }): void {
  const kids = parent.children;
  if (!kids) return;
  const out: HNode[] = [];
  for (let i = 0; i < kids.length; i++) {
    const n = kids[i];
    if (n.type === "element") {
      if (!SKIP.has((n as HElement).tagName)) walk(n as HElement);
      out.push(n);
      continue;
    }
    if (n.type !== "text" || !(n as HText).value.includes("\n")) {
      out.push(n);
      continue;
    }
    const prevInline = isInline(kids[i - 1]);
    const nextInline = isInline(kids[i + 1]);
    let value = (n as HText).value;
    // Newlines at an edge next to a block (or nothing) only separate blocks: not line breaks.
    if (!prevInline) value = trimStartWhile(value, /\n/);
    if (!nextInline) value = trimEndWhile(value, /\n/);
    if (!value) continue;
    if (!value.includes("\n")) {
      out.push({ type: "text", value } as HText);
      continue;
    }
    const parts = value.split("\n");
    parts.forEach((part, j) => {
      if (j > 0) out.push(br());
      if (part) out.push({ type: "text", value: part } as HText);
    });
  }
  parent.children = out;
}

export function rehypeSoftBreaks() {
  return (tree: unknown) => {
    walk(tree as { children?: HNode[] });
  };
}

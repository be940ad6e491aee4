/**
 * Plain-text previews of messages for admin lists: the Markdown parsed (micromark is linear in
 * its input, so an attacker's 32,000 characters cost nothing special) and only its words kept,
 * blocks joined by a space, so a table or a heading reads as text instead of pipes and hashes.
 */
import type { Nodes } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";

/** Only the start of a long message is parsed: a preview never shows more. */
const PARSED_CHARACTERS = 4000;

const BLOCKS = new Set([
  "paragraph",
  "heading",
  "code",
  "tableCell",
  "listItem",
  "blockquote",
  "break",
  "thematicBreak",
]);

export function plainPreview(markdown: string, max: number): string {
  const words: string[] = [];
  const visit = (node: Nodes) => {
    if (node.type === "text" || node.type === "inlineCode" || node.type === "code") words.push(node.value);
    if ("children" in node) for (const child of node.children) visit(child);
    // Blocks end with a space, so that paragraphs, cells and items do not run together.
    if (BLOCKS.has(node.type)) words.push(" ");
  };
  visit(
    fromMarkdown(markdown.slice(0, PARSED_CHARACTERS), { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }),
  );
  const text = words.join("").replace(/\s+/g, " ").trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * How deeply a message's markdown nests block containers. The markdown parser's time grows with
 * the square of that depth, and a few thousand levels ("- - - - …", "> > > …") overflow its stack,
 * which would take the whole chat page down: deeper text than MAX_MARKDOWN_NESTING is shown as
 * plain text instead.
 */

/** Far beyond any real answer (a list inside a quote inside a list is 3). */
export const MAX_MARKDOWN_NESTING = 32;

const isBlank = (ch: string | undefined) => ch === undefined || ch === " " || ch === "\t" || ch === "\n" || ch === "\r";
const isDigit = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "9";

/**
 * The most block containers (block quotes, bullet and numbered list items) any one line opens
 * with: "> - 1. x" opens 3. One pass over the text.
 */
export function containerDepth(text: string): number {
  let deepest = 0;
  let pos = 0;
  while (pos < text.length) {
    let depth = 0;
    for (;;) {
      while (text[pos] === " " || text[pos] === "\t") pos++;
      const ch = text[pos];
      if (ch === ">") {
        pos++;
      } else if ((ch === "-" || ch === "*" || ch === "+") && isBlank(text[pos + 1])) {
        pos++;
      } else if (isDigit(ch)) {
        let end = pos;
        while (end - pos < 9 && isDigit(text[end])) end++;
        if ((text[end] !== "." && text[end] !== ")") || !isBlank(text[end + 1])) break;
        pos = end + 1;
      } else {
        break;
      }
      depth++;
    }
    deepest = Math.max(deepest, depth);
    const newline = text.indexOf("\n", pos);
    if (newline < 0) break;
    pos = newline + 1;
  }
  return deepest;
}

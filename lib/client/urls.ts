/** Link safety for rendered markdown: only http(s) and mailto targets survive. */
const ALLOWED = /^(https?:|mailto:)/i;

/** The URL if it is absolute http/https/mailto, else null (relative, javascript:, data:, …). */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  // Browsers ignore control characters and whitespace inside schemes ("java\tscript:").
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point; they are stripped before the scheme check.
  const cleaned = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  if (!ALLOWED.test(cleaned)) return null;
  try {
    const u = new URL(cleaned);
    if (u.protocol !== "http:" && u.protocol !== "https:" && u.protocol !== "mailto:") return null;
    return u.href;
  } catch {
    return null;
  }
}

/** `urlTransform` for react-markdown: unsafe URLs become empty strings (then rendered as text). */
export function markdownUrlTransform(url: string): string {
  return safeHref(url) ?? "";
}

/**
 * Rules for text that users and agents control, in one place (used by the server and the browser).
 */

/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). In a
 * title they make text render in another order than it is stored ("gnp.exe" shows as
 * "exe.png"), so titles are stored without them and shown without them (rows stored earlier may
 * hold some). The marks U+200E, U+200F and U+061C stay: right-to-left text needs them, and they
 * cannot reverse a run of letters.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export const withoutBidiControls = (text: string): string => text.replace(BIDI_CONTROLS, "");

/**
 * Trimming a class of characters off text's ends, by index. The regex spelling (`/[.,\s]+$/`)
 * restarts at every character of a long run that does not reach the end, so it takes quadratic
 * time on text an attacker controls; these take linear time. `drop` matches one character
 * (a class such as /[.,\s]/, without the g flag).
 */
export function trimStartWhile(s: string, drop: RegExp): string {
  let start = 0;
  while (start < s.length && drop.test(s[start])) start++;
  return s.slice(start);
}

export function trimEndWhile(s: string, drop: RegExp): string {
  let end = s.length;
  while (end > 0 && drop.test(s[end - 1])) end--;
  return s.slice(0, end);
}

/**
 * Marks around a matched word in a search snippet (lib/db/search.ts writes them, the serializer
 * turns them into offsets): private-use characters, which no message is expected to hold.
 */
export const MATCH_START = "\uE000";
export const MATCH_END = "\uE001";

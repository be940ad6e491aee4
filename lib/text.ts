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

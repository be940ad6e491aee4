/**
 * What the edge (lib/api/edge.ts) establishes about a request for the pages and server actions
 * behind it, so both sides read one rule.
 */

/**
 * The edge decides who the client is, honouring TANDEM_TRUST_PROXY, and writes it into this
 * request header, replacing whatever a client sent; pages and server actions read it from there.
 */
export const CLIENT_ADDRESS_HEADER = "x-tandem-client-address";

/**
 * Same-origin check for state-changing requests (defence in depth beside the token): the
 * browser's Origin (or, lacking it, Referer) must name the host the request was sent to.
 * X-Forwarded-Host is there only from a trusted proxy: the edge drops it otherwise.
 */
export function isSameOrigin(headers: { get(name: string): string | null }): boolean {
  const host = headers.get("x-forwarded-host")?.split(",")[0].trim() || headers.get("host");
  if (!host) return false;
  const source = headers.get("origin") ?? headers.get("referer");
  if (!source || source === "null") return false;
  try {
    return new URL(source).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

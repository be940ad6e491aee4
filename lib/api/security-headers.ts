/**
 * Security headers. Every answer gets SECURITY_HEADERS (server.ts sets them); API answers add a
 * CSP that allows nothing (JSON is never a document); pages get a per-request nonce CSP from
 * proxy.ts (Next's app router streams inline scripts, which the nonce lets through).
 */

export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

export const API_SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
};

/**
 * The pages' policy. Scripts and style elements need the request's nonce ('strict-dynamic'
 * lets Next's own chunks load); `style` attributes are allowed because React renders inline
 * styles in server HTML (no script can run through a style attribute). connect-src 'self'
 * covers the same-origin WebSocket. No upgrade-insecure-requests: plain-HTTP deployments
 * (an IP on a private network) must keep working; TLS is the proxy's business.
 */
export function pageCsp(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

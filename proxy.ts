/**
 * Next 16 proxy (formerly middleware): a fresh CSP nonce for every page request. Next reads the
 * nonce from the request's Content-Security-Policy header and puts it on its inline and chunk
 * scripts (pages are rendered per request for this; see app/layout.tsx). API paths are left
 * out: server.ts gives them a CSP that allows nothing.
 */
import { type NextRequest, NextResponse } from "next/server";
import { pageCsp } from "./lib/api/security-headers";

export function proxy(request: NextRequest) {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  const nonce = btoa(String.fromCharCode(...bytes));
  const csp = pageCsp(nonce, process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      source:
        "/((?!(?:api|health|ready|sessions|messages|agents|teams|tools|search|import|bench)(?:/|$)|_next/static|_next/image|favicon\\.ico|icon\\.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};

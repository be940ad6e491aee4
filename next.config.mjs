/** @type {import('next').NextConfig} */
const nextConfig = {
  // The contract answers every path with and without the trailing slash, never with a redirect
  // (a 307/308 breaks POST clients and CORS preflights).
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  // Tests build into their own folder so that a developer's `next dev` is left alone.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  async rewrites() {
    // The root mirror of the API for clients or proxies that drop the /api prefix.
    return [
      { source: "/health", destination: "/api/health" },
      { source: "/ready", destination: "/api/ready" },
      { source: "/sessions/:path*", destination: "/api/sessions/:path*" },
      { source: "/messages/:path*", destination: "/api/messages/:path*" },
      { source: "/agents/:path*", destination: "/api/agents/:path*" },
      { source: "/tools/:path*", destination: "/api/tools/:path*" },
    ];
  },
};

export default nextConfig;

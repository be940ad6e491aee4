import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Tandem", template: "%s · Tandem" },
  description: "Two AI agents collaborate on every message: a researcher digs in, a writer answers.",
  applicationName: "Tandem",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  viewportFit: "cover",
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#F9FAFB" },
    { media: "(prefers-color-scheme: dark)", color: "#0B1120" },
  ],
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Rendered per request: the CSP nonce (proxy.ts) is new every time, and Next can only put it
  // on its inline scripts while rendering.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-dvh bg-page text-ink antialiased">{children}</body>
    </html>
  );
}

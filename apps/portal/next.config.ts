import path from 'node:path';
import type { NextConfig } from 'next';

const repoRoot = path.join(__dirname, '../..');

/**
 * Every page: no framing (clickjacking of admin actions), scripts, styles and fetches from this
 * origin only (the try-it console reaches the gateway through /try-it, never directly), no
 * plugins, no <base> or form targets elsewhere. Next's bootstrap scripts are inline and we do not
 * render every page dynamically (which nonces would need), hence 'unsafe-inline'.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const nextConfig: NextConfig = {
  // Standard output: `next start` serves .next; nothing is inlined from env at build time
  // (server code reads its config per request, see src/lib/env.ts).
  reactStrictMode: true,
  poweredByHeader: false,
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  // Notification e-mails (the worker) link to /notifications.
  async redirects() {
    return [{ source: '/notifications', destination: '/dashboard/notifications', permanent: false }];
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
      // The try-it relay answers with its own, stricter policy (sandbox).
      { source: '/((?!try-it/).*)', headers: [{ key: 'Content-Security-Policy', value: CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;

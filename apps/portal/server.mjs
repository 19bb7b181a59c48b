#!/usr/bin/env node
// The portal's HTTP server: `next start`, plus one step before Next sees a request.
//
// The portal forwards the browser's address to the management API (X-Forwarded-For on its
// server-side calls), which throttles logins and signups per address. Next itself only fills in
// X-Forwarded-For when the request has none, so a browser could name any address it liked and
// get a fresh bucket per guess. Here the header is replaced by the one address we believe: the
// peer's, or — only when the peer is a trusted proxy (TRUST_PROXY, same syntax as the management
// API's: loopback, CIDRs, a hop count, true/false) — the address that proxy reports.
//
// Reads PORTAL_PORT, PORTAL_HOST and TRUST_PROXY from the environment itself: it runs before the
// app (and its validated config, src/lib/env.ts) is loaded; bad values stop it here.
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refusePublishedSecrets } from '@apim/config';
import proxyaddr from 'proxy-addr';

/** TRUST_PROXY → a proxy-addr trust function (what Express builds from `trust proxy`). */
export function compileTrust(value = 'false') {
  const v = value.trim();
  if (v === 'true') return () => true;
  if (v === 'false' || v === '') return () => false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_addr, i) => i < hops;
  }
  return proxyaddr.compile(
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** The client's address as we believe it (never what an untrusted peer claims). */
export function clientAddress(req, trust) {
  return proxyaddr(req, trust);
}

async function main() {
  // Like every process: no published development secret unless NODE_ENV says development or test.
  refusePublishedSecrets('portal');
  const port = Number(process.env.PORTAL_PORT ?? 3000);
  const host = process.env.PORTAL_HOST ?? '0.0.0.0';
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`portal: PORTAL_PORT must be a port, got ${process.env.PORTAL_PORT}`);
  let trust;
  try {
    trust = compileTrust(process.env.TRUST_PROXY);
  } catch (err) {
    throw new Error(`portal: TRUST_PROXY is invalid (${err.message})`);
  }
  // As `next start` does: unset means production (React and Next pick their builds from it, so
  // set it before loading Next).
  process.env.NODE_ENV ??= 'production';
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname: host, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    req.headers['x-forwarded-for'] = clientAddress(req, trust);
    void handle(req, res);
  });
  server.listen(port, host, () =>
    console.log(JSON.stringify({ level: 'info', service: 'portal', msg: `listening on ${host}:${port}` })),
  );
  const stop = () => {
    setTimeout(() => process.exit(1), 10_000).unref();
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

#!/usr/bin/env node
// `npm run demo-key`: mints a new API key for the demo app of a running `npm start` stack and
// prints the curl line (the key is shown once; only its hash is stored). Reads the same
// MANAGEMENT_PORT / GATEWAY_PORT / *_HOST settings as `npm start`.
import { mintDemoKey } from './lib/seed.mjs';

const host = (name) => {
  const h = process.env[name] || '127.0.0.1';
  return h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h;
};
const managementUrl = `http://${host('MANAGEMENT_HOST')}:${process.env.MANAGEMENT_PORT ?? 3001}`;
const gatewayUrl = `http://${host('GATEWAY_HOST')}:${process.env.GATEWAY_PORT ?? 8080}`;

try {
  await fetch(`${managementUrl}/readyz`, { signal: AbortSignal.timeout(3000) });
} catch {
  console.error(
    `[demo-key] the management API does not answer at ${managementUrl}: start the stack with \`npm start\` first.`,
  );
  process.exit(1);
}
try {
  const key = await mintDemoKey({ managementUrl });
  console.log(
    [
      '',
      '  New demo API key (shown once — it is stored only as a hash):',
      `    curl -H 'x-api-key: ${key}' '${gatewayUrl}/demo/hello?name=you'`,
      '',
    ].join('\n'),
  );
} catch (e) {
  console.error(`[demo-key] ${e.message}`);
  process.exit(1);
}

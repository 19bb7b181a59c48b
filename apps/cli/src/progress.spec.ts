import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './main';

/**
 * Progress on a long apply, as a terminal shows it: the CLI's own `run` with terminal-like
 * streams, against a stand-in for the management API that takes 2.3 s to answer (the real API is
 * exercised by test/cli.spec.ts; this is about what the terminal shows while waiting).
 */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
let server: Server;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'apim-progress-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ dryRun: false, changes: [{ op: 'create', kind: 'plan', slug: 'gold' }] }));
    }, 2300);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function terminal(tty: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY: boolean };
  s.isTTY = tty;
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: s as unknown as NodeJS.WriteStream, text: () => text };
}

async function apply(tty: boolean) {
  const file = join(dir, 'apim.yaml');
  writeFileSync(file, 'apiVersion: apim/v1\nkind: Config\napis: []\nplans: []\n');
  const stdout = terminal(tty);
  const stderr = terminal(tty);
  const saved = { ...process.env };
  Object.assign(process.env, { APIM_URL: url, APIM_TOKEN: 't', APIM_CONFIG_DIR: dir });
  try {
    const code = await run(['apply', '-f', file], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    });
    return { code, stdout: stdout.text().replace(ANSI, ''), stderr: stderr.text().replace(ANSI, '') };
  } finally {
    process.env = saved;
  }
}

describe('progress on a long apply', () => {
  it('on a terminal: a line that ticks each second, ending with the time taken', async () => {
    const r = await apply(true);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ plan gold');
    const label = `Applying 0 APIs, 0 plans against ${url}…`;
    expect(r.stderr).toContain(`\r${label} 1 s`);
    expect(r.stderr).toContain(`\r${label} 2 s`);
    expect(r.stderr).toMatch(new RegExp(`\\r${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} 2\\.\\d s\\n`));
  }, 15_000);

  it('into a pipe: one line, no carriage returns', async () => {
    const r = await apply(false);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toContain(`Applying 0 APIs, 0 plans against ${url}…\n`);
  }, 15_000);
});

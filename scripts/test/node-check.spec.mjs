// `npm start` and `npm test` say clearly when Node is too old, and pass on the tested lines.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const lib = pathToFileURL(join(import.meta.dirname, '..', 'lib', 'ensure-deps.mjs')).href;
const check = (version) =>
  spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { checkNode } = await import(${JSON.stringify(lib)}); checkNode(${JSON.stringify(version)}); console.log('ok');`,
    ],
    { encoding: 'utf8' },
  );

describe('checkNode', () => {
  it.each(['20.19.0', '20.20.2', '22.12.0', '22.23.1', '24.1.0'])('accepts %s', (v) => {
    const r = check(v);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok');
  });

  it.each(['18.20.4', '20.18.3', '21.7.3', '22.11.0'])('refuses %s with one line saying what to install', (v) => {
    const r = check(v);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('ok');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`Node.js ${v} is too old`);
    expect(r.stderr).toMatch(/20\.19\+ or 22\.12\+/);
  });

  it('matches package.json engines and the Node running this test', () => {
    const engines = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).engines
      .node;
    expect(engines).toBe('^20.19.0 || >=22.12.0');
    expect(check(process.versions.node).status).toBe(0);
  });
});

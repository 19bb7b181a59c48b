/* eslint-disable @typescript-eslint/no-explicit-any -- CLI JSON output is checked field by field */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ADMIN, apim, buildProjects, ManagementProcess, repoRoot, scratchDir } from './harness';

/**
 * The `apim` binary as a process against real management API processes: `source` is seeded,
 * `target` starts empty. Output goes to pipes, so it must be colourless.
 */
let source: ManagementProcess;
let target: ManagementProcess;
let sourceToken: string;
let targetToken: string;
const home = scratchDir();
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

const onTarget = () => ({ APIM_URL: target.url, APIM_TOKEN: targetToken });
const run = (args: string[], env: Record<string, string> = onTarget(), stdin?: string) =>
  apim(args, { env, stdin, home: home.path });
const file = (name: string, text: string) => {
  const p = join(home.path, name);
  writeFileSync(p, text);
  return p;
};
/** A port nothing listens on: bound by the OS, then released. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
const example = (rel: string) => require.resolve(`@readme/oas-examples/${rel}`);

beforeAll(async () => {
  buildProjects();
  [source, target] = await Promise.all([ManagementProcess.start('src'), ManagementProcess.start('dst')]);
  [sourceToken, targetToken] = await Promise.all([source.adminToken(), target.adminToken()]);
  const api = async (slug: string, extra: object = {}) =>
    (
      await source.call<any>('POST', '/v1/admin/apis', sourceToken, {
        name: `API ${slug}`,
        slug,
        upstreamUrl: `http://${slug}.internal`,
        routePath: `/${slug}`,
        ...extra,
      })
    ).json;
  const orders = await api('orders', { description: 'Orders: list, create, cancel.\nSecond line.', timeoutMs: 5000 });
  const billing = await api('billing', { visibility: 'private' });
  const plan = (slug: string, apiIds: string[], extra: object = {}) =>
    source.call('POST', '/v1/admin/plans', sourceToken, {
      name: `Plan ${slug}`,
      slug,
      apiIds,
      rateLimits: [{ requests: 10, per: 'second' }],
      monthlyQuota: 5000,
      selfService: true,
      pricing: { currency: 'EUR', monthlyFee: '19.90', includedRequests: 1000, overagePer1000: '0.125' },
      ...extra,
    });
  await plan('gold', [orders.id, billing.id], { monthlyQuota: null });
  await plan('free', [orders.id], {
    pricing: { currency: 'EUR', monthlyFee: '0', includedRequests: 100, overagePer1000: '0' },
  });
}, 240_000);
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  home.remove();
});

describe('login', () => {
  it('saves URL and token in a 0600 file under the config directory; a wrong password is one error line', async () => {
    const ok = await run(
      ['login', '--url', source.url, '--email', ADMIN.email, '--password-stdin'],
      {},
      `${ADMIN.password}\n`,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Logged in to ${source.url} as ${ADMIN.email}`);
    const path = join(home.path, '.config', 'apim', 'credentials.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home.path, '.config', 'apim')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      url: source.url,
      email: ADMIN.email,
      token: expect.any(String),
    });

    const bad = await run(
      ['login', '--url', source.url, '--email', ADMIN.email, '--password-stdin'],
      {},
      'wrong-password-123\n',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^error: /);
    const noTty = await run(['login', '--url', source.url, '--email', ADMIN.email], {});
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain('--password-stdin');
  });

  it('without a login or APIM_URL + APIM_TOKEN, or with an unreachable server, says so in one line', async () => {
    const other = scratchDir();
    try {
      const none = await apim(['export'], { home: other.path });
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/^error: not logged in: run `apim login/);
      const port = await freePort();
      const down = await apim(['export'], {
        home: other.path,
        env: { APIM_URL: `http://127.0.0.1:${port}`, APIM_TOKEN: 'x' },
      });
      expect(down.code).toBe(1);
      expect(down.stderr).toBe(`error: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
      const badEnv = await apim(['export'], { home: other.path, env: { APIM_URL: 'ftp://x', APIM_TOKEN: 'x' } });
      expect(badEnv.code).toBe(1);
      expect(badEnv.stderr).toContain('APIM_URL');
    } finally {
      other.remove();
    }
  });
});

describe('export → apply → export', () => {
  let exported: string;

  it('round trip: the export of an empty database after apply is byte-identical', async () => {
    const out = join(home.path, 'platform.yaml');
    const e = await run(['export', '-o', out], {}); // the saved login (source)
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toContain('Wrote');
    exported = readFileSync(out, 'utf8');
    expect(parse(exported)).toMatchObject({ apiVersion: 'apim/v1', kind: 'Config' });
    const stdout = await run(['export'], {});
    expect(stdout.stdout).toBe(exported);

    const a = await run(['apply', '-f', out]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.split('\n').filter((l) => l.startsWith('+ '))).toEqual([
      '+ api billing',
      '+ api orders',
      '+ plan free',
      '+ plan gold',
    ]);
    expect(a.stdout).toContain('Applied: 4 created, 0 updated, 0 deleted.');
    expect(a.stderr).toContain('Applying 2 APIs, 2 plans against');
    expect(a.stdout + a.stderr).not.toMatch(ANSI);
    const again = await run(['export']);
    expect(again.stdout).toBe(exported);
  });

  it('a second apply reports no changes and exits 0; diff exits 0', async () => {
    const out = join(home.path, 'platform.yaml');
    const a = await run(['apply', '-f', out]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe('No changes: the platform matches the file.\n');
    const d = await run(['diff', '-f', out]);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('No changes');
  });

  it('diff exits 2 after a plan change, printed like terraform plan; apply --dry-run changes nothing', async () => {
    const doc = parse(exported);
    doc.plans.find((p: any) => p.slug === 'gold').rateLimits[0].requests = 200;
    doc.plans.push({ ...doc.plans[0], slug: 'platinum', name: 'Platinum' });
    const f = file('changed.yaml', stringify(doc));
    const d = await run(['diff', '-f', f]);
    expect(d.code).toBe(2);
    expect(d.stdout.split('\n')).toEqual([
      '~ plan gold: rateLimits[0].requests 10 → 200',
      '+ plan platinum',
      'Plan: 1 to create, 1 to update, 0 to delete.',
      '',
    ]);
    expect(d.stdout).not.toMatch(ANSI);
    const j = await run(['diff', '-f', f, '--output', 'json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout).changes).toEqual([
      {
        op: 'update',
        kind: 'plan',
        slug: 'gold',
        fields: [{ path: 'rateLimits[0].requests', before: 10, after: 200 }],
      },
      { op: 'create', kind: 'plan', slug: 'platinum' },
    ]);
    expect(j.stderr).toBe('');
    const dry = await run(['apply', '-f', f, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: 1 to create, 1 to update, 0 to delete; nothing was changed.');
    expect((await run(['export'])).stdout).toBe(exported);
    // From standard input, as JSON output.
    const applied = await run(['apply', '-f', '-', '--output', 'json'], onTarget(), stringify(doc));
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ dryRun: false, changes: [{ op: 'update' }, { op: 'create' }] });
    expect((await run(['diff', '-f', f])).code).toBe(0);
    // Restore for the next tests: prune what the original file does not name.
    const restore = await run(['apply', '-f', join(home.path, 'platform.yaml'), '--prune']);
    expect(restore.stdout.split('\n').slice(0, 2)).toEqual([
      '~ plan gold: rateLimits[0].requests 200 → 10',
      '- plan platinum',
    ]);
  });

  it('a bad file changes nothing and names every problem with its path, one line each', async () => {
    const doc = parse(exported);
    doc.plans[0].colour = 'gold';
    doc.plans[0].apis.push('no-such-api');
    doc.apis.push({ ...doc.apis[0], routePath: '/another' });
    doc.plans[1].rateLimits[0].requests = -1;
    doc.plans[1].pricing.monthlyFee = 19.9;
    const r = await run(['apply', '-f', file('bad.yaml', stringify(doc))]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error:')).sort()).toEqual([
      expect.stringMatching(/^error: apis\[2\]\.slug: duplicate slug "billing" \(also apis\[0\]\)$/),
      expect.stringMatching(/^error: plans\[0\]\.apis\[1\]: no API with slug "no-such-api"/),
      'error: plans[0].colour: unknown field',
      'error: plans[1].pricing.monthlyFee: must be a string: quote it, e.g. "49.00" for money',
      expect.stringMatching(/^error: plans\[1\]\.rateLimits\[0\]\.requests: .*1/),
    ]);
    expect(lines.at(-1)).toBe('The configuration has 5 problem(s); nothing was changed');
    expect((await run(['export'])).stdout).toBe(exported);
    expect((await run(['diff', '-f', file('bad2.yaml', stringify(doc))])).code).toBe(1);
  });

  it('a YAML syntax error names the file, line and column; JSON output carries the problem', async () => {
    const r = await run([
      'apply',
      '-f',
      file('broken.yaml', 'apiVersion: apim/v1\nkind: Config\napis: [\n  - {name: x\n'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*broken\.yaml:\d+:\d+: \S/m);
    const missing = await run(['apply', '-f', join(home.path, 'nope.yaml')]);
    expect(missing.stderr).toMatch(/^error: cannot read .*nope\.yaml: ENOENT\n$/m);
    const j = await run(['apply', '-f', file('bad3.yaml', 'apiVersion: apim/v2\nkind: Config\n'), '--output', 'json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).error.errors).toEqual([expect.stringMatching(/^apiVersion: /)]);
    const usage = await run(['apply']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("required option '-f, --file <file>'");
  });

  it('prune refuses a plan still in use, naming the apps', async () => {
    const gold = (await target.call<any>('GET', '/v1/admin/plans', targetToken)).json.items.find(
      (p: any) => p.slug === 'gold',
    );
    const consumer = (await target.call<any>('POST', '/v1/admin/consumers', targetToken, { name: 'Acme' })).json;
    await target.call('POST', '/v1/admin/apps', targetToken, {
      consumerId: consumer.id,
      name: 'shop',
      planId: gold.id,
    });
    const doc = parse(exported);
    doc.plans = doc.plans.filter((p: any) => p.slug !== 'gold');
    const r = await run(['apply', '-f', file('nogold.yaml', stringify(doc)), '--prune']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: plan gold: used by app "shop" \(.+\) of Acme$/m);
  });
});

describe('npx apim', () => {
  it('runs the workspace bin from the repository root', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('npx', ['apim', '--version'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, HOME: home.path },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(r).toEqual({ code: 0, out: '0.1.0\n' });
  });
});

describe('import-openapi', () => {
  it.each([
    ['3.0/json/petstore.json', '/pets-30', 'swagger-petstore'],
    ['3.1/yaml/petstore.yaml', '/pets-31', 'pets-31'],
    ['2.0/json/petstore.json', '/pets-20', 'pets-20'],
    ['3.1/json/train-travel.json', '/trains', 'train-travel-api'],
    ['3.0/json/uspto.json', '/uspto', 'uspto-data-set-api'],
  ])('%s → an API at %s', async (doc, route, slug) => {
    const args = ['import-openapi', example(doc), '--route', route, '--upstream', 'http://upstream.internal:8080'];
    if (!slug.startsWith('swagger') && slug.startsWith('pets')) args.push('--slug', slug);
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^\\+ api ${slug}: ".+" at ${route} → http://upstream.internal:8080\\n$`));
    const list = (await target.call<any>('GET', '/v1/portal/apis?limit=100')).json.items;
    const api = list.find((a: any) => a.slug === slug);
    expect(Object.keys(api.openapi.paths).length).toBeGreaterThan(0);
  });

  it('from standard input with --name; a second import of the same slug updates it', async () => {
    const text = readFileSync(example('2.0/yaml/petstore-expanded.yaml'), 'utf8');
    const r = await run(
      [
        'import-openapi',
        '-',
        '--route',
        '/expanded',
        '--upstream',
        'http://x.internal',
        '--name',
        'Expanded pets',
        '--slug',
        'expanded',
      ],
      onTarget(),
      text,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+ api expanded: "Expanded pets"');
    const again = await run(
      ['import-openapi', '-', '--route', '/expanded', '--slug', 'expanded', '--output', 'json'],
      onTarget(),
      text,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      slug: 'expanded',
      name: 'Swagger Petstore',
      upstreamUrl: 'http://petstore.swagger.io/api',
    });
  });

  it('an invalid document: one line per problem with its JSON pointer, nothing created', async () => {
    const bad = file('bad-openapi.yaml', 'openapi: 3.0.0\ninfo:\n  title: Broken\npaths: {}\n');
    const r = await run(['import-openapi', bad, '--route', '/broken', '--upstream', 'http://x.internal']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: document#\/info: must have required property 'version'$/m);
    const list = (await target.call<any>('GET', '/v1/admin/apis?q=broken', targetToken)).json;
    expect(list.total).toBe(0);
  });
});

// docker-compose.yml cannot be run here (no container engine), so it is checked by parsing: every
// variable it reads is listed in .env.example, `--profile deps` starts only Postgres and Redis
// with published ports and needs no variable at all, and each app service's environment (with
// .env.example's values) passes that app's own production config schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import { loadManagementConfig } from '../../apps/management-api/src/config/config.schema';
import { loadWorkerConfig } from '../../apps/worker/src/config/worker-config';

const root = join(import.meta.dirname, '..', '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true });
const envExample = Object.fromEntries(
  readFileSync(join(root, '.env.example'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}; ${VAR:?err} fails when unset. */
function interpolate(value, env) {
  return String(value).replace(/\$\{([A-Z0-9_]+)(?:(:?)([-?])([^}]*))?\}/g, (_, name, colon, op, arg) => {
    const v = env[name];
    const missing = v === undefined || (colon && v === '');
    if (op === '?' && missing) throw new Error(`required variable ${name}: ${arg}`);
    return missing ? (op === '-' ? arg : '') : v;
  });
}
const envOf = (service, env) =>
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v, env)]));
const APP_SCHEMAS = {
  'apps/gateway/dist/src/main.js': loadGatewayConfig,
  'apps/management-api/dist/src/main.js': loadManagementConfig,
  'apps/worker/dist/src/main.js': loadWorkerConfig,
};

describe('docker-compose.yml', () => {
  it('reads only variables that .env.example lists', () => {
    const used = [...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(4);
    for (const name of used) expect(Object.keys(envExample), `${name} is missing from .env.example`).toContain(name);
  });

  it('needs no variable for `--profile deps`: nothing is required, and only Postgres and Redis are in it', () => {
    expect(composeText).not.toMatch(/\$\{[A-Z0-9_]+:?\?/);
    for (const s of Object.values(compose.services)) {
      expect(s.profiles, 'a service without profiles would start with --profile deps too').toBeDefined();
      envOf(s, {}); // interpolates with nothing set
    }
    const deps = Object.entries(compose.services)
      .filter(([, s]) => s.profiles.includes('deps'))
      .map(([n]) => n);
    expect(deps.sort()).toEqual(['postgres', 'redis']);
    const published = (s) => (s.ports ?? []).map((p) => interpolate(p, {}));
    expect(published(compose.services.postgres)).toEqual(['127.0.0.1:5432:5432']);
    expect(published(compose.services.redis)).toEqual(['127.0.0.1:6379:6379']);
  });

  it('starts everything with .env.example copied to .env (COMPOSE_PROFILES=app)', () => {
    expect(envExample.COMPOSE_PROFILES).toBe('app');
    const active = Object.entries(compose.services)
      .filter(([, s]) => s.profiles.includes('app'))
      .map(([n]) => n);
    expect(active.sort()).toEqual(['gateway', 'management-api', 'migrate', 'portal', 'postgres', 'redis', 'worker']);
  });

  it('gives every app service what its production config schema requires', () => {
    let checked = 0;
    for (const [name, s] of Object.entries(compose.services)) {
      const entry = (s.command ?? []).find((c) => APP_SCHEMAS[c]);
      if (!entry) continue;
      const env = envOf(s, envExample);
      expect(env.NODE_ENV, name).toBe('production');
      expect(() => APP_SCHEMAS[entry](env), name).not.toThrow();
      checked++;
    }
    expect(checked).toBe(3);
    const portal = envOf(compose.services.portal, envExample);
    expect(portal).toMatchObject({ NODE_ENV: 'production', MANAGEMENT_URL: 'http://management-api:3001' });
  });

  it('fails that check when .env is missing a secret (the check can fail)', () => {
    const { KEY_HASH_SECRET: _, ...withoutSecret } = envExample;
    const env = envOf(compose.services['management-api'], withoutSecret);
    expect(() => loadManagementConfig(env)).toThrow(/KEY_HASH_SECRET/);
    expect(() => loadGatewayConfig(envOf(compose.services.gateway, withoutSecret))).toThrow(/KEY_HASH_SECRET/);
  });

  it('binds the apps to every interface inside their containers, and the database URL matches Postgres', () => {
    expect(envOf(compose.services.gateway, envExample).GATEWAY_HOST).toBe('0.0.0.0');
    expect(envOf(compose.services['management-api'], envExample).MANAGEMENT_HOST).toBe('0.0.0.0');
    expect(envOf(compose.services.worker, envExample).WORKER_HOST).toBe('0.0.0.0');
    const db = new URL(envOf(compose.services.gateway, envExample).DATABASE_URL);
    const pg = envOf(compose.services.postgres, envExample);
    expect([db.username, db.password, db.pathname.slice(1)]).toEqual([
      pg.POSTGRES_USER,
      pg.POSTGRES_PASSWORD,
      pg.POSTGRES_DB,
    ]);
  });
});

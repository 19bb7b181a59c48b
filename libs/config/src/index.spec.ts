import { describe, expect, it } from 'vitest';
import { ConfigError, devOnlySecret, env, loadConfig, z } from './index';

const schema = z.object({
  PORT: env.port(3000),
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  DEBUG: env.bool(false),
  WORKERS: env.int(4, 1),
});

describe('loadConfig', () => {
  it('applies defaults and coerces strings', () => {
    const c = loadConfig('t', schema, { DATABASE_URL: 'postgres://x@h/db', DEBUG: 'yes', WORKERS: '8' });
    expect(c).toEqual({ PORT: 3000, DATABASE_URL: 'postgres://x@h/db', DEBUG: true, WORKERS: 8 });
  });

  it('lists every bad variable in one error', () => {
    try {
      loadConfig('gateway', schema, { PORT: '99999', DATABASE_URL: 'mysql://x', DEBUG: 'maybe', WORKERS: '0' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      for (const v of ['PORT', 'DATABASE_URL', 'DEBUG', 'WORKERS']) expect(problems).toContain(v);
      expect((e as Error).message).toMatch(/^gateway: invalid configuration/);
    }
  });

  it('gives secrets a dev default only outside production', () => {
    const withSecret = (nodeEnv: string | undefined) => z.object({ SECRET: devOnlySecret(nodeEnv, 'dev-only-secret-value') });
    expect(loadConfig('t', withSecret('development'), {})).toEqual({ SECRET: 'dev-only-secret-value' });
    expect(loadConfig('t', withSecret(undefined), {})).toEqual({ SECRET: 'dev-only-secret-value' });
    expect(() => loadConfig('t', withSecret('production'), {})).toThrow(/SECRET/);
    expect(() => loadConfig('t', withSecret('production'), { SECRET: 'short' })).toThrow(/at least 16/);
    expect(loadConfig('t', withSecret('production'), { SECRET: 'x'.repeat(16) })).toEqual({ SECRET: 'x'.repeat(16) });
  });
});

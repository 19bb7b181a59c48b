import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  constructor(readonly app: string, readonly problems: string[]) {
    super(`${app}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once, at boot, against one schema per app. Every bad variable is listed
 * in one error, so a deployment is fixed in one go rather than one restart per typo.
 */
export function loadConfig<S extends z.ZodType>(app: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new ConfigError(app, problems);
}

/** Env helpers: variables are strings; these coerce and describe them. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: (protocols: string[]) =>
    z.string().refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol.replace(':', ''));
      } catch {
        return false;
      }
    }, `must be a URL (${protocols.join(', ')})`),
  nodeEnv: () => z.enum(['development', 'production', 'test']).default('development'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/**
 * A variable with a development default that production must set: outside production the schema
 * gets `devValue` as its default; in production it has none, so a missing value is reported.
 * (`.default(undefined)` would instead make the variable optional and let it through.)
 */
export function devOnlyDefault(
  nodeEnv: string | undefined,
  schema: z.ZodType<string, string>,
  devValue: string,
): z.ZodType<string, string | undefined> {
  return nodeEnv === 'production' ? schema : schema.default(devValue);
}

/** A secret (≥ 16 characters) with a development-only default. */
export function devOnlySecret(nodeEnv: string | undefined, devValue: string): z.ZodType<string, string | undefined> {
  return devOnlyDefault(nodeEnv, z.string().min(16, 'must be at least 16 characters'), devValue);
}

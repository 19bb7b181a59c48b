import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: string[],
  ) {
    super(`${app}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Values published in this repository (READMEs, docker-compose examples, `npm start`): anyone
 * can forge tokens and key hashes, or log in as admin, with them. Only a development or test
 * deployment may run with one.
 */
export const PUBLISHED_DEV_VALUES: readonly string[] = [
  'dev-only-key-hash-secret',
  'dev-only-auth-token-secret',
  'change-me-admin-password',
  'dev-only-webhook-secret-key',
];

/** Development defaults apply only when NODE_ENV says so explicitly; unset means production. */
export function isDevEnvironment(nodeEnv: string | undefined): boolean {
  return nodeEnv === 'development' || nodeEnv === 'test';
}

const PUBLISHED_MESSAGE =
  'is a published development value; set your own secret (or NODE_ENV=development|test on a dev machine)';

/**
 * Every variable, used by this process or not, that holds a published development value while
 * NODE_ENV is not explicitly development or test (a shared .env file is refused by every process).
 */
export function publishedSecretProblems(env: NodeJS.ProcessEnv): string[] {
  if (isDevEnvironment(env.NODE_ENV)) return [];
  return Object.entries(env)
    .filter(([, v]) => v !== undefined && PUBLISHED_DEV_VALUES.includes(v.trim()))
    .map(([k]) => `${k}: ${PUBLISHED_MESSAGE}`)
    .sort();
}

/** For processes that start before their schema is parsed (the portal's server). */
export function refusePublishedSecrets(app: string, env: NodeJS.ProcessEnv = process.env): void {
  const problems = publishedSecretProblems(env);
  if (problems.length) throw new ConfigError(app, problems);
}

/**
 * Parses the environment once, at boot, against one schema per app. Every bad variable is listed
 * in one error, so a deployment is fixed in one go rather than one restart per typo.
 */
export function loadConfig<S extends z.ZodType>(
  app: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  const published = publishedSecretProblems(env);
  if (result.success && !published.length) return result.data;
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new ConfigError(app, [...problems, ...published.filter((p) => !problems.includes(p))]);
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
    z.string().refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(':', ''));
        } catch {
          return false;
        }
      },
      `must be a URL (${protocols.join(', ')})`,
    ),
  /** Unset means production: development defaults must be asked for (see devOnlyDefault). */
  nodeEnv: () => z.enum(['development', 'production', 'test']).default('production'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/**
 * A variable with a development default: only when NODE_ENV is explicitly development or test
 * does the schema get `devValue` as its default. Otherwise (production, or NODE_ENV unset) it has
 * none, so a missing value is reported, and the published value itself is refused.
 * (`.default(undefined)` would instead make the variable optional and let it through.)
 */
export function devOnlyDefault(
  nodeEnv: string | undefined,
  schema: z.ZodType<string, string>,
  devValue: string,
): z.ZodType<string, string | undefined> {
  if (isDevEnvironment(nodeEnv)) return schema.default(devValue);
  return schema.refine((v) => v !== devValue && !PUBLISHED_DEV_VALUES.includes(v), PUBLISHED_MESSAGE);
}

/** A secret (≥ 16 characters) with a development-only default. */
export function devOnlySecret(nodeEnv: string | undefined, devValue: string): z.ZodType<string, string | undefined> {
  return devOnlyDefault(nodeEnv, z.string().min(16, 'must be at least 16 characters'), devValue);
}
export * from './redis';

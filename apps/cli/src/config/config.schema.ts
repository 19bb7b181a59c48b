import { homedir } from 'node:os';
import { join } from 'node:path';
import { env, loadConfig, z } from '@apim/config';

/**
 * The CLI's environment, parsed once. APIM_URL + APIM_TOKEN (both) replace the saved login, for
 * CI; the saved login lives under the user's config directory (XDG on Linux and macOS, APPDATA on
 * Windows) unless APIM_CONFIG_DIR names another one.
 */
export const cliConfigSchema = z
  .object({
    APIM_URL: env.url(['http', 'https']).optional(),
    APIM_TOKEN: z.string().min(1).optional(),
    APIM_CONFIG_DIR: z.string().min(1).optional(),
    XDG_CONFIG_HOME: z.string().min(1).optional(),
    APPDATA: z.string().min(1).optional(),
    HOME: z.string().optional(),
    /** https://no-color.org: any non-empty value turns colour off. */
    NO_COLOR: z.string().optional(),
    TERM: z.string().optional(),
  })
  .refine((c) => !c.APIM_TOKEN || c.APIM_URL, { message: 'APIM_TOKEN needs APIM_URL as well', path: ['APIM_URL'] });

export type CliEnv = z.infer<typeof cliConfigSchema>;

export interface CliConfig {
  env: { url?: string; token?: string };
  configDir: string;
  colorAllowed: boolean;
}

export function loadCliConfig(vars: NodeJS.ProcessEnv = process.env): CliConfig {
  const c = loadConfig('apim', cliConfigSchema, vars);
  const base =
    c.APIM_CONFIG_DIR ??
    join(
      c.XDG_CONFIG_HOME ??
        (process.platform === 'win32' && c.APPDATA ? c.APPDATA : join(c.HOME || homedir(), '.config')),
      'apim',
    );
  return {
    env: { url: c.APIM_URL, token: c.APIM_TOKEN },
    configDir: base,
    colorAllowed: !c.NO_COLOR && c.TERM !== 'dumb',
  };
}

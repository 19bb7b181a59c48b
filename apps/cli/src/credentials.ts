import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './output';

export interface Credentials {
  url: string;
  token: string;
  email?: string;
  expiresAt?: string;
  source: 'env' | 'file';
}

export function credentialsPath(configDir: string): string {
  return join(configDir, 'credentials.json');
}

/** Only the user may read the token: the folder is 0700 and the file 0600, also when it existed before. */
export function saveCredentials(configDir: string, c: Omit<Credentials, 'source'>): string {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(configDir);
  writeFileSync(
    path,
    `${JSON.stringify({ url: c.url, token: c.token, email: c.email, expiresAt: c.expiresAt }, null, 2)}\n`,
    { mode: 0o600 },
  );
  chmodSync(path, 0o600);
  return path;
}

/** APIM_URL + APIM_TOKEN first (CI), then the saved login. */
export function loadCredentials(configDir: string, env: { url?: string; token?: string }): Credentials {
  if (env.url && env.token) return { url: env.url, token: env.token, source: 'env' };
  let saved: Partial<Credentials>;
  try {
    saved = JSON.parse(readFileSync(credentialsPath(configDir), 'utf8')) as Partial<Credentials>;
  } catch {
    throw new CliError(
      'not logged in: run `apim login --url <management-url> --email <email>` or set APIM_URL and APIM_TOKEN',
    );
  }
  if (typeof saved.url !== 'string' || typeof saved.token !== 'string') {
    throw new CliError(`${credentialsPath(configDir)} is damaged: run \`apim login\` again`);
  }
  // APIM_URL alone points the saved token at another server only if it is the same server.
  return {
    url: env.url ?? saved.url,
    token: saved.token,
    email: saved.email,
    expiresAt: saved.expiresAt,
    source: 'file',
  };
}

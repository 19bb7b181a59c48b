import 'server-only';
import { env, loadConfig, z } from '@apim/config';

const schema = z.object({
  NODE_ENV: env.nodeEnv(),
  MANAGEMENT_URL: env.url(['http', 'https']).default('http://127.0.0.1:3001'),
  GATEWAY_PUBLIC_URL: env.url(['http', 'https']).default('http://127.0.0.1:8080'),
  PORTAL_PORT: env.port(3000),
  /** Interface the portal's server binds (server.mjs reads it; `npm start` binds 127.0.0.1). */
  PORTAL_HOST: z.string().min(1).default('0.0.0.0'),
});

export type PortalEnv = z.infer<typeof schema>;

let cached: PortalEnv | undefined;

/**
 * The portal's configuration, parsed on the first request rather than at import: `next build`
 * evaluates modules, and anything read then would be frozen into the build output.
 */
export function portalEnv(): PortalEnv {
  if (!cached) {
    const parsed = loadConfig('portal', schema);
    cached = {
      ...parsed,
      MANAGEMENT_URL: parsed.MANAGEMENT_URL.replace(/\/+$/, ''),
      GATEWAY_PUBLIC_URL: parsed.GATEWAY_PUBLIC_URL.replace(/\/+$/, ''),
    };
  }
  return cached;
}

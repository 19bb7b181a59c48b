/**
 * Published by the management API on `${prefix}config-changes` after a change commits. Gateways
 * refresh the named entity (or everything for `all`) within a second.
 */
export type ConfigChangeKind = 'api' | 'plan' | 'consumer' | 'app' | 'key' | 'all';

export interface ConfigChange {
  kind: ConfigChangeKind;
  id: string | null;
  /** For `key`: the key hash to evict from gateway caches (never the key itself). */
  hash?: string;
  at: string;
}

export const CONFIG_CHANNEL = 'config-changes';

export function configChannel(prefix: string): string {
  return `${prefix}${CONFIG_CHANNEL}`;
}

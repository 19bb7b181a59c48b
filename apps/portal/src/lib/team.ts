import type { TeamRole } from '@apim/contracts/management';

/** The team roles, in the order the API lists them, with what each may do (shown in the invite form). */
export const TEAM_ROLES: { value: TeamRole; label: string; description: string }[] = [
  { value: 'owner', label: 'Owner', description: 'Everything, including the team itself' },
  { value: 'admin', label: 'Admin', description: 'Manages members, apps, keys and webhooks' },
  { value: 'developer', label: 'Developer', description: 'Manages apps, keys and webhooks' },
  { value: 'billing', label: 'Billing', description: 'Reads usage only' },
];

/** Who may invite, change roles and remove members (the API's TEAM_MANAGERS). */
export function managesTeam(role: TeamRole | undefined): boolean {
  return role === 'owner' || role === 'admin';
}

/**
 * The event types a team webhook may subscribe to, as libs/contracts TEAM_EVENT_TYPES lists them
 * (the portal does not depend on the contracts library; the API validates the list).
 */
export const TEAM_EVENTS: { value: string; label: string }[] = [
  { value: 'key.created', label: 'A key was created' },
  { value: 'key.revoked', label: 'A key was revoked' },
  { value: 'key.rotated', label: 'A key was rotated' },
  { value: 'key.expiring', label: 'A key expires within 7 days / 1 day' },
  { value: 'quota.threshold', label: 'An app reached 80 % / 100 % of its monthly quota' },
  { value: 'consumer.status_changed', label: 'Your account status changed' },
  { value: 'plan.changed', label: "An app's plan changed" },
];

/** A notification as one readable sentence (the worker's e-mails say the same). */
export function notificationText(type: string, data: Record<string, unknown>): { title: string; text: string } {
  const s = (k: string) => (data[k] === undefined || data[k] === null ? '' : String(data[k]));
  switch (type) {
    case 'quota.threshold':
      return {
        title: `${s('appName') || 'An app'} reached ${s('threshold')} % of its monthly quota`,
        text: `${s('used')} of ${s('limit')} calls used in ${s('period')}.`,
      };
    case 'key.expiring':
      return {
        title: `API key ${s('prefix')}… expires within ${s('within') === '1d' ? 'a day' : 'a week'}`,
        text: `The key “${s('name')}” expires at ${s('expiresAt')}. Rotate it before then.`,
      };
    case 'key.created':
      return { title: `New API key ${s('prefix')}…`, text: `A key “${s('name')}” was created.` };
    case 'key.revoked':
      return { title: `API key ${s('prefix')}… revoked`, text: `The key “${s('name')}” no longer works.` };
    case 'consumer.status_changed':
      return { title: `Your account is now ${s('to')}`, text: `Its status changed from ${s('from')} to ${s('to')}.` };
    case 'plan.changed':
      return { title: `Plan changed for ${s('appName') || 'an app'}`, text: 'The app moved to another plan.' };
    default:
      return { title: type, text: '' };
  }
}

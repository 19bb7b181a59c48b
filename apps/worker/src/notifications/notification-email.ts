/** Subject (ASCII) and plain-text body of a notification e-mail (no HTML: nothing to inject into). */
export function renderNotificationEmail(
  type: string,
  data: Record<string, unknown>,
  portalUrl: string,
): { subject: string; text: string } {
  const s = (k: string) => String(data[k] ?? '');
  const lines: Record<string, [string, string]> = {
    'quota.threshold': [
      `Quota: ${s('appName')} has used ${s('threshold')} % of its monthly quota`,
      `App ${s('appName')} has made ${s('used')} of ${s('limit')} calls allowed in ${s('period')}.`,
    ],
    'key.expiring': [
      `API key ${s('prefix')} expires within ${s('within') === '1d' ? 'a day' : 'a week'}`,
      `The key "${s('name')}" (${s('prefix')}…) expires at ${s('expiresAt')}. Rotate it before then.`,
    ],
    'key.created': [`New API key ${s('prefix')}`, `A key "${s('name')}" (${s('prefix')}…) was created.`],
    'key.revoked': [
      `API key ${s('prefix')} revoked`,
      `The key "${s('name')}" (${s('prefix')}…) was revoked and no longer works.`,
    ],
    'consumer.status_changed': [
      `Your account is now ${s('to')}`,
      `Your account status changed from ${s('from')} to ${s('to')}.`,
    ],
    'plan.changed': [`Plan changed for ${s('appName')}`, `App ${s('appName')} moved to another plan.`],
  };
  const [subject, body] = lines[type] ?? [`Notification: ${type}`, ''];
  return { subject, text: `${body}\n\nSee your notifications: ${portalUrl.replace(/\/$/, '')}/notifications\n` };
}

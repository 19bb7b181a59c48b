import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isLocalhostName, isNonPublicAddress, urlHost } from '@apim/contracts';
import { AppError } from '@apim/errors';

const LOOKUP_TIMEOUT_MS = 3000;

/**
 * Refuses webhook URLs aimed at loopback, private or link-local addresses, written literally or
 * behind a DNS name, unless WEBHOOK_ALLOW_PRIVATE. The worker checks again on every attempt
 * (DNS answers change); this check gives the caller a 400 up front. A name that does not resolve
 * yet is accepted: its deliveries fail and retry until it does.
 */
export async function assertWebhookTarget(raw: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = urlHost(new URL(raw));
  const refuse = () => {
    throw new AppError('validation_failed', 'Webhook URL refused', [
      { field: 'url', message: 'must not point at a loopback, private or link-local address' },
    ]);
  };
  if (isIP(host)) {
    if (isNonPublicAddress(host)) refuse();
    return;
  }
  if (isLocalhostName(host)) refuse();
  let addresses: { address: string }[] = [];
  try {
    addresses = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('dns timeout')), LOOKUP_TIMEOUT_MS).unref()),
    ]);
  } catch {
    return;
  }
  if (addresses.some((a) => isNonPublicAddress(a.address))) refuse();
}

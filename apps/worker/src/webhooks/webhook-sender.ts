import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { isLocalhostName, isNonPublicAddress, urlHost } from '@apim/contracts';
import { signWebhook } from '@apim/keys';
import { Agent, request } from 'undici';

export interface WebhookAttempt {
  url: string;
  /** `webhook-id`: the same on every retry of one delivery. */
  messageId: string;
  body: string;
  secret: string;
  timeoutMs: number;
  allowPrivate: boolean;
  now?: Date;
}

export interface WebhookAttemptResult {
  ok: boolean;
  statusCode: number | null;
  /** Why it failed, for the delivery log (never the response body). */
  error: string | null;
}

export class TargetRefusedError extends Error {}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * DNS lookup for outgoing connections that refuses non-public answers. It runs inside the
 * connect, so the address checked is the address connected to (no check-then-rebind window).
 */
function guardedLookup(hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void {
  dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isNonPublicAddress(a.address));
    if (bad)
      return callback(new TargetRefusedError(`${hostname} resolves to a non-public address (${bad.address})`), []);
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}

const guardedAgent = new Agent({ connect: { lookup: guardedLookup as never }, keepAliveTimeout: 4_000 });
const openAgent = new Agent({ keepAliveTimeout: 4_000 });

const MAX_ERROR_LENGTH = 300;

/**
 * One delivery attempt: POST the body with Standard Webhooks headers, signed now. Redirects are
 * not followed (a 3xx is a failure). Success is any 2xx within `timeoutMs`.
 */
export async function sendWebhook(a: WebhookAttempt): Promise<WebhookAttemptResult> {
  const url = new URL(a.url);
  const host = urlHost(url);
  if (!a.allowPrivate && (isIP(host) ? isNonPublicAddress(host) : isLocalhostName(host))) {
    return { ok: false, statusCode: null, error: `target refused: ${host} is not a public address` };
  }
  const ts = Math.floor((a.now ?? new Date()).getTime() / 1000);
  const signal = AbortSignal.timeout(a.timeoutMs);
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: a.allowPrivate ? openAgent : guardedAgent,
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'apim-webhooks/1',
        'webhook-id': a.messageId,
        'webhook-timestamp': String(ts),
        'webhook-signature': signWebhook(a.secret, a.messageId, ts, a.body),
      },
      body: a.body,
    });
    // The receiver's answer is not kept; drain it (bounded by the same timeout) and move on.
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return { ok, statusCode: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}` };
  } catch (err) {
    if (signal.aborted) return { ok: false, statusCode: null, error: `timeout after ${a.timeoutMs} ms` };
    const e = err as Error & { cause?: Error };
    const refused = e instanceof TargetRefusedError ? e : e.cause instanceof TargetRefusedError ? e.cause : null;
    const msg = refused ? `target refused: ${refused.message}` : `${e.name}: ${(e.cause ?? e).message}`;
    return { ok: false, statusCode: null, error: msg.slice(0, MAX_ERROR_LENGTH) };
  }
}

/** Retry n (1-based) waits base·2^(n-1), capped: with 30 s, 6 h and 14 attempts that is ~26 h in all. */
export function webhookBackoffMs(attemptsMade: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(attemptsMade - 1, 0), maxMs);
}

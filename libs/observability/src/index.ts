import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';

export type { Logger };

/**
 * Paths that must never reach a log line. Keys, tokens and passwords are redacted wherever they
 * appear in a structured log object.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'key',
  '*.key',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'res.headers["set-cookie"]',
];

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** A registry per process with Node's default metrics, labelled with the service name. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a client's request id when it is sane, otherwise makes a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && REQUEST_ID_RE.test(v) ? v : randomUUID();
}

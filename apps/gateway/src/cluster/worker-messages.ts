import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { GatewayServer } from '../gateway-server';

/**
 * The IPC between the cluster primary and its gateway workers (node:cluster's channel). The
 * primary asks; a worker answers with the same `seq`. Every message carries `apim: 'gateway'` so
 * anything else on the channel (node's own cluster messages) is ignored.
 */
export type WorkerQuery = 'readiness' | 'metrics';

export interface PrimaryRequest {
  apim: 'gateway';
  seq: number;
  query: WorkerQuery;
}

export type WorkerReadiness = ReturnType<GatewayServer['readiness']>;
export type WorkerMetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export type WorkerReply =
  | { apim: 'gateway'; seq: number; query: 'readiness'; readiness: WorkerReadiness }
  | { apim: 'gateway'; seq: number; query: 'metrics'; metrics: WorkerMetricsJson };

function isGatewayMessage(m: unknown): m is { apim: 'gateway'; seq: number; query: string } {
  return (
    typeof m === 'object' &&
    m !== null &&
    (m as { apim?: unknown }).apim === 'gateway' &&
    typeof (m as { seq?: unknown }).seq === 'number'
  );
}

export function isPrimaryRequest(m: unknown): m is PrimaryRequest {
  return isGatewayMessage(m) && (m.query === 'readiness' || m.query === 'metrics');
}

export function isWorkerReply(m: unknown): m is WorkerReply {
  return (
    isGatewayMessage(m) &&
    ((m.query === 'readiness' && 'readiness' in m) || (m.query === 'metrics' && Array.isArray((m as never)['metrics'])))
  );
}

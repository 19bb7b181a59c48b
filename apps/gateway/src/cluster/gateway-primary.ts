import cluster, { type Worker } from 'node:cluster';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROBLEM_CONTENT_TYPE, problem } from '@apim/errors';
import { type Logger, requestIdFrom } from '@apim/observability';
import type { GatewayConfig } from '../config/gateway.config';
import { mergeWorkerMetrics, type WorkerMetrics } from './cluster-metrics';
import { RestartBackoff } from './restart-backoff';
import {
  isWorkerReply,
  type WorkerMetricsJson,
  type WorkerQuery,
  type WorkerReadiness,
  type WorkerReply,
} from './worker-messages';

/** A worker that does not answer the primary within this is reported as not answering. */
const ASK_TIMEOUT_MS = 2_000;

interface Slot {
  /** 1..GATEWAY_WORKERS; a restarted worker keeps its slot (and its GATEWAY_ID). */
  n: number;
  worker?: Worker;
  startedAt: number;
  backoff: RestartBackoff;
  restartTimer?: NodeJS.Timeout;
}

export interface WorkerStatus {
  worker: number;
  pid: number | null;
  ready: boolean;
  status: string;
  readiness?: WorkerReadiness;
}

/**
 * The cluster primary (GATEWAY_WORKERS > 1): it serves no API traffic itself. It forks the
 * workers — each a whole gateway (createGateway) listening on GATEWAY_PORT through node:cluster,
 * which hands the port's connections out round-robin — restarts one that dies (with a backoff,
 * logged), and owns the admin port: /metrics merges every worker's registry, /readyz is ready
 * only when every worker is, /healthz is ok while at least one worker runs. On SIGTERM it sends
 * SIGTERM to every worker, so each drains and flushes its usage buffer as a single gateway does,
 * and exits 0 only if every worker did.
 */
export class GatewayPrimary {
  readonly admin: Server;
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, (reply: WorkerReply | null) => void>();
  private seq = 0;
  private restarts = 0;
  private stopping: Promise<number> | null = null;

  constructor(
    private readonly config: GatewayConfig,
    private readonly log: Logger,
  ) {
    this.admin = createServer(
      { keepAliveTimeout: 5_000, headersTimeout: 10_000, requestTimeout: 10_000 },
      (req, res) => {
        void this.adminHandle(req, res);
      },
    );
  }

  start(): void {
    // Structured clone on the channel: metric values may be NaN or ±Infinity, which JSON loses.
    cluster.setupPrimary({ serialization: 'advanced' });
    cluster.on('message', (_worker, message: unknown) => {
      if (!isWorkerReply(message)) return;
      const resolve = this.pending.get(message.seq);
      this.pending.delete(message.seq);
      resolve?.(message);
    });
    cluster.on('exit', (worker, code, signal) => this.exited(worker, code, signal));
    for (let n = 1; n <= this.config.GATEWAY_WORKERS; n++) {
      const slot: Slot = { n, startedAt: 0, backoff: new RestartBackoff() };
      this.slots.push(slot);
      this.fork(slot);
    }
  }

  async listenAdmin(port = this.config.GATEWAY_ADMIN_PORT, host = this.config.GATEWAY_ADMIN_HOST): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.admin.once('error', reject);
      this.admin.listen(port, host, () => {
        this.admin.off('error', reject);
        resolve();
      });
    });
    return (this.admin.address() as AddressInfo).port;
  }

  private fork(slot: Slot): void {
    slot.restartTimer = undefined;
    slot.startedAt = Date.now();
    // Each worker is its own instance in usage batches and connection names; metrics are merged.
    slot.worker = cluster.fork({ GATEWAY_ID: `${this.config.GATEWAY_ID}-w${slot.n}` });
  }

  private exited(worker: Worker, code: number | null, signal: string | null): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (!slot) return;
    slot.worker = undefined;
    if (this.stopping) return;
    this.restarts++;
    const ranForMs = Date.now() - slot.startedAt;
    const restartInMs = slot.backoff.next(ranForMs);
    this.log.error(
      { worker: slot.n, pid: worker.process.pid, code, signal, ranForMs, restartInMs },
      'gateway worker exited unexpectedly; restarting it',
    );
    slot.restartTimer = setTimeout(() => this.fork(slot), restartInMs);
  }

  private ask(worker: Worker, query: WorkerQuery): Promise<WorkerReply | null> {
    if (!worker.isConnected()) return Promise.resolve(null);
    const seq = ++this.seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        resolve(null);
      }, ASK_TIMEOUT_MS);
      this.pending.set(seq, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      try {
        worker.send({ apim: 'gateway', seq, query });
      } catch {
        this.pending.delete(seq);
        clearTimeout(timer);
        resolve(null);
      }
    });
  }

  /** Every slot's worker and what it says about itself. */
  async workers(): Promise<WorkerStatus[]> {
    return Promise.all(
      this.slots.map(async (slot): Promise<WorkerStatus> => {
        const w = slot.worker;
        if (!w) return { worker: slot.n, pid: null, ready: false, status: slot.restartTimer ? 'restarting' : 'exited' };
        const reply = await this.ask(w, 'readiness');
        const pid = w.process.pid ?? null;
        if (!reply || reply.query !== 'readiness') return { worker: slot.n, pid, ready: false, status: 'starting' };
        return {
          worker: slot.n,
          pid,
          ready: reply.readiness.ready,
          status: reply.readiness.status,
          readiness: reply.readiness,
        };
      }),
    );
  }

  async readiness(): Promise<{ ready: boolean; status: string; closing: boolean; workers: WorkerStatus[] }> {
    const workers = await this.workers();
    const closing = this.stopping !== null;
    const ready = !closing && workers.every((w) => w.ready);
    return { ready, status: ready ? 'ready' : closing ? 'draining' : 'not_ready', closing, workers };
  }

  /** The merged Prometheus text of every worker that answers. */
  async metrics(): Promise<{ text: string; contentType: string }> {
    const answers = await Promise.all(
      this.slots.map(async (slot): Promise<WorkerMetrics | null> => {
        const w = slot.worker;
        const reply = w ? await this.ask(w, 'metrics') : null;
        if (!w || !reply || reply.query !== 'metrics') return null;
        return { worker: slot.n, pid: w.process.pid ?? 0, metrics: reply.metrics as WorkerMetricsJson };
      }),
    );
    const registry = mergeWorkerMetrics(
      answers.filter((a): a is WorkerMetrics => a !== null),
      this.config.GATEWAY_ID,
      { configured: this.config.GATEWAY_WORKERS, restarts: this.restarts },
    );
    return { text: await registry.metrics(), contentType: registry.contentType };
  }

  private async adminHandle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const requestId = requestIdFrom(undefined);
    req.resume();
    try {
      if (path === '/healthz') {
        const running = this.slots.filter((s) => s.worker?.isConnected()).length;
        const ok = running > 0;
        return json(
          res,
          ok ? 200 : 503,
          { status: ok ? 'ok' : 'no_workers', workers: this.slots.length, running },
          requestId,
        );
      }
      if (path === '/readyz') {
        const r = await this.readiness();
        return json(res, r.ready ? 200 : 503, r, requestId);
      }
      if (path === '/metrics') {
        const m = await this.metrics();
        res.writeHead(200, { 'content-type': m.contentType, 'x-request-id': requestId, 'cache-control': 'no-store' });
        res.end(m.text);
        return;
      }
      json(res, 404, problem('not_found', requestId), requestId, PROBLEM_CONTENT_TYPE);
    } catch (err) {
      this.log.error({ err }, 'admin request failed');
      if (!res.headersSent) res.writeHead(500).end();
    }
  }

  /**
   * Drains every worker (each runs its own SIGTERM path: /readyz 503, GATEWAY_DRAIN_MS, close,
   * flush its usage buffer) and resolves with the exit code: 0 when every worker exited 0.
   */
  stop(signal: string): Promise<number> {
    this.stopping ??= (async () => {
      this.log.info({ signal, workers: this.slots.length }, 'stopping: draining every gateway worker');
      const exits: Promise<boolean>[] = [];
      for (const slot of this.slots) {
        clearTimeout(slot.restartTimer);
        slot.restartTimer = undefined;
        const w = slot.worker;
        if (!w) continue;
        exits.push(
          new Promise<boolean>((resolve) => {
            if (w.process.exitCode !== null || w.process.signalCode !== null) return resolve(w.process.exitCode === 0);
            w.process.once('exit', (code) => resolve(code === 0));
          }),
        );
        w.process.kill('SIGTERM');
      }
      const clean = (await Promise.all(exits)).every(Boolean);
      if (!clean) this.log.error('a gateway worker did not stop cleanly (see its log)');
      await new Promise<void>((resolve) => {
        this.admin.close(() => resolve());
        this.admin.closeAllConnections();
      });
      return clean ? 0 : 1;
    })();
    return this.stopping;
  }

  /** Last resort after the shutdown deadline: workers still running are killed. */
  killAll(): void {
    for (const slot of this.slots) slot.worker?.process.kill('SIGKILL');
  }
}

function json(res: ServerResponse, status: number, body: unknown, requestId: string, type = 'application/json'): void {
  const s = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(s),
    'x-request-id': requestId,
    'cache-control': 'no-store',
  });
  res.end(s);
}

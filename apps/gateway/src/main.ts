import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { createLogger, type Logger } from '@apim/observability';
import { watchPrimary } from './cluster/primary-watch';
import { answerPrimary } from './cluster/worker-channel';
import { GatewayPrimary } from './cluster/gateway-primary';
import { type GatewayConfig, gcFlags, loadGatewayConfig } from './config/gateway.config';
import { createGateway, type Gateway } from './gateway';
import type { CloseBounds } from './gateway-server';

/**
 * GATEWAY_WORKERS = 1: this process is the gateway (public and admin listeners). More: this
 * process becomes the cluster primary (admin listener only) and forks that many gateways, which
 * share the public port; each runs `serve` below without the admin listener.
 */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const log = createLogger('gateway', config.LOG_LEVEL);
  if (cluster.isPrimary && config.GATEWAY_WORKERS > 1) return runPrimary(config, log);
  return serve(config, log, cluster.isWorker);
}

/**
 * A worker whose primary is gone serves nothing new (the primary held the listening socket and
 * handed out the connections), so there is no load balancer to drain for: in-flight requests get
 * a second, the usage buffer two more, and whatever Redis or Postgres do, the process is gone
 * within PRIMARY_GONE_EXIT_MS.
 */
const PRIMARY_GONE = { drainMs: 0, graceMs: 1_000, flushMs: 2_000 } as const;
const PRIMARY_GONE_EXIT_MS = 6_000;

async function serve(config: GatewayConfig, log: Logger, asWorker: boolean): Promise<void> {
  const v8Flags = gcFlags(config);
  for (const flag of v8Flags) setFlagsFromString(flag);
  // Set once booted; the stop paths below are wired before that.
  const up: { gateway?: Gateway } = {};
  let stopping = false;
  const stop = (signal: string, bounds?: CloseBounds) => {
    const gateway = up.gateway;
    if (stopping || !gateway) return;
    stopping = true;
    log.info({ signal }, 'stopping: draining in-flight requests and flushing usage');
    // Escalate-safe: whatever happens, the process is gone within drain + shutdown timeout + 4 s.
    setTimeout(
      () => {
        log.error('shutdown took too long; exiting');
        process.exit(1);
      },
      config.GATEWAY_DRAIN_MS + config.SHUTDOWN_TIMEOUT_MS + 4_000,
    ).unref();
    gateway.close(bounds).then(
      ({ unflushedEvents }) => process.exit(unflushedEvents > 0 ? 1 : 0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // A worker told to stop while it boots (the primary stopping) drains once it is up, instead of
  // dying to the signal's default action with its exit code lost.
  let early: string | null = null;
  const onEarly = (signal: string) => (early ??= signal);
  if (asWorker) {
    process.on('SIGTERM', onEarly).on('SIGINT', onEarly);
    // node:cluster ends a worker at once when the primary vanishes, dropping its usage buffer;
    // marking that exit as expected leaves it to watchPrimary, from the first moment on.
    if (cluster.worker) cluster.worker.exitedAfterDisconnect = true;
    watchPrimary((how) => {
      // However the shutdown goes (a long drain already under way, Redis or Postgres hanging), it is bounded.
      setTimeout(() => {
        log.error({ how }, 'primary gone and shutdown not finished in time; exiting');
        process.exit(1);
      }, PRIMARY_GONE_EXIT_MS).unref();
      if (!up.gateway) {
        log.warn({ how }, 'primary gone while starting; exiting');
        process.exit(0);
      }
      log.warn({ how }, 'primary gone: stopping this worker');
      stop('primary gone', PRIMARY_GONE);
    });
  }
  const gateway = await createGateway(config);
  up.gateway = gateway;
  const port = await gateway.listen();
  if (asWorker) {
    answerPrimary(gateway);
    log.info({ port, gatewayId: config.GATEWAY_ID, pid: process.pid, v8Flags }, 'gateway worker listening');
  } else {
    const adminPort = await gateway.listenAdmin();
    log.info(
      { port, adminPort, adminHost: config.GATEWAY_ADMIN_HOST, gatewayId: config.GATEWAY_ID, v8Flags },
      'gateway listening',
    );
  }
  process.off('SIGTERM', onEarly).off('SIGINT', onEarly);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (early) stop(early);
}

async function runPrimary(config: GatewayConfig, log: Logger): Promise<void> {
  const primary = new GatewayPrimary(config, log);
  // Before the first fork: a signal that arrives while workers boot still drains them.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // The workers' own deadline is drain + shutdown timeout + 4 s; the primary waits a little longer.
    setTimeout(
      () => {
        log.error('workers took too long to stop; killing them');
        primary.killAll();
        process.exit(1);
      },
      config.GATEWAY_DRAIN_MS + config.SHUTDOWN_TIMEOUT_MS + 6_000,
    ).unref();
    void primary.stop(signal).then((code) => process.exit(code));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  primary.start();
  const adminPort = await primary.listenAdmin();
  log.info(
    {
      port: config.GATEWAY_PORT,
      adminPort,
      adminHost: config.GATEWAY_ADMIN_HOST,
      gatewayId: config.GATEWAY_ID,
      workers: config.GATEWAY_WORKERS,
    },
    'gateway primary: admin listening, workers starting',
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

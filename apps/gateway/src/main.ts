import { setFlagsFromString } from 'node:v8';
import { createLogger } from '@apim/observability';
import { gcFlags, loadGatewayConfig } from './config/gateway.config';
import { createGateway } from './gateway';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const log = createLogger('gateway', config.LOG_LEVEL);
  const v8Flags = gcFlags(config);
  for (const flag of v8Flags) setFlagsFromString(flag);
  const gateway = await createGateway(config);
  const port = await gateway.listen();
  const adminPort = await gateway.listenAdmin();
  log.info(
    { port, adminPort, adminHost: config.GATEWAY_ADMIN_HOST, gatewayId: config.GATEWAY_ID, v8Flags },
    'gateway listening',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
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
    gateway.close().then(
      ({ unflushedEvents }) => process.exit(unflushedEvents > 0 ? 1 : 0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

import { createLogger } from '@apim/observability';
import { loadWorkerConfig } from './config/worker-config';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger('worker', config.LOG_LEVEL);
  // Up to ~1 minute for Postgres to come up (containers starting together).
  const worker = await createWorker(config, { logger, databaseAttempts: 15 });
  const port = await worker.listen();
  logger.info({ host: config.WORKER_HOST, port }, 'worker listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping: finishing active batches');
    // Escalate-safe: whatever hangs, the process is gone within ~10 s (an unfinished batch is
    // redelivered and the ledger keeps it exactly once).
    setTimeout(() => process.exit(1), 10_000).unref();
    worker.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

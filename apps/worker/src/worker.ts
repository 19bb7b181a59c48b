import { createRedisClient, redisTarget } from '@apim/config';
import type { AddressInfo } from 'node:net';
import {
  BILLING_QUEUE,
  bullPrefix,
  NOTIFICATIONS_QUEUE,
  redisKeys,
  USAGE_DEAD_LETTER_QUEUE,
  USAGE_QUEUE,
  WEBHOOK_DELIVERY_QUEUE,
} from '@apim/contracts';
import { createDataSource } from '@apim/db';
import { createLogger, type Logger } from '@apim/observability';
import { Queue, Worker } from 'bullmq';
import type { DataSource } from 'typeorm';
import { BillingService } from './billing/billing.service';
import { QuotaReconciler } from './billing/quota-reconciler.service';
import type { WorkerConfig } from './config/worker-config';
import { createHealthServer } from './http/health-server';
import { createWorkerMetrics, type WorkerMetrics } from './metrics/worker-metrics';
import { BILLING_LATE_USAGE, BILLING_TICK, billingProcessor } from './processors/billing.processor';
import {
  DEAD_LETTER_SWEEP,
  LEDGER_PRUNE,
  OUTBOX_PRUNE,
  MAINTENANCE_QUEUE,
  maintenanceProcessor,
} from './processors/maintenance.processor';
import { usageBatchProcessor } from './processors/usage-batch.processor';
import { DeadLetterSweeper } from './queue/dead-letter';
import { TolerantWorker } from './queue/tolerant-worker';
import { UsageRepository } from './repositories/usage.repository';
import { OutboxRelay } from './events/outbox-relay';
import { webhookDeliveryProcessor } from './processors/webhook-delivery.processor';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';
import { webhookBackoffMs } from './webhooks/webhook-sender';
import { KeyExpiryNotifier } from './notifications/key-expiry.service';
import { NotificationMailer } from './notifications/mailer';
import { notificationRelayHook } from './notifications/notification-relay';
import { QuotaThresholds } from './notifications/quota-thresholds.service';

export interface UsageWorker {
  /** Starts the health/metrics HTTP server; returns the bound port (0 = any free port). */
  listen(port?: number, host?: string): Promise<number>;
  /** Graceful: lets the active jobs finish, then closes queues, Redis, Postgres and HTTP. */
  close(): Promise<void>;
  /** Runs one billing tick now (close due periods, late-usage adjustments, quota counters). */
  runBillingTick(now?: Date): Promise<void>;
  /** Dead-letters failed usage jobs that have no record yet; returns how many. */
  sweepDeadLetters(): Promise<number>;
  /** Prunes the usage ledger to LEDGER_RETENTION_DAYS now; returns the rows removed. */
  pruneLedger(): Promise<number>;
  readonly dataSource: DataSource;
  readonly billing: BillingService;
  readonly quotas: QuotaReconciler;
  readonly outbox: OutboxRelay;
  readonly quotaThresholds: QuotaThresholds;
  readonly keyExpiry: KeyExpiryNotifier;
  /** Relays the outbox and sends pending e-mails now (the timer does it every OUTBOX_POLL_MS). */
  runOutboxTick(): Promise<void>;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
}

/** Postgres may still be starting (compose, CI): try a few times before giving up. */
async function connectDatabase(config: WorkerConfig, logger: Logger, attempts: number): Promise<DataSource> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createDataSource({
        url: config.DATABASE_URL,
        poolSize: config.DATABASE_POOL_SIZE,
        applicationName: 'apim-worker',
      }).initialize();
    } catch (err) {
      if (attempt >= attempts) throw err;
      const delay = Math.min(500 * attempt, 5_000);
      logger.warn({ attempt, delay, err: (err as Error).message }, 'postgres not reachable yet, retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * The worker process, minus `main`: BullMQ consumers for usage batches (exactly once into the
 * hourly rollups) and for billing (a repeatable tick), plus /healthz, /readyz and /metrics.
 */
export async function createWorker(
  config: WorkerConfig,
  opts: { logger?: Logger; databaseAttempts?: number } = {},
): Promise<UsageWorker> {
  const logger = opts.logger ?? createLogger('worker', config.LOG_LEVEL);
  const dataSource = await connectDatabase(config, logger, opts.databaseAttempts ?? 1);
  // BullMQ needs maxRetriesPerRequest: null (its blocking commands must wait through reconnects).
  const redis = createRedisClient(redisTarget(config), { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const prefix = bullPrefix(config.REDIS_PREFIX, config.REDIS_CLUSTER_NODES !== null);
  const usageQueue = new Queue(USAGE_QUEUE, { connection: redis, prefix });
  const deadLetter = new Queue(USAGE_DEAD_LETTER_QUEUE, { connection: redis, prefix });
  const billingQueue = new Queue(BILLING_QUEUE, { connection: redis, prefix });
  const metrics = createWorkerMetrics(() => usageQueue.getWaitingCount());
  const billing = new BillingService(dataSource, logger, config.BILLING_CLOSE_GRACE_MS);
  // Quota periods are decided by Redis' clock, moved only by the test clock (APIM_TEST_CLOCK, never in production).
  const clockOffsetKey = config.APIM_TEST_CLOCK ? redisKeys.testClockOffset(config.REDIS_PREFIX) : undefined;
  const quotas = new QuotaReconciler(dataSource, redis, config.REDIS_PREFIX, clockOffsetKey);
  const usageRepo = new UsageRepository(dataSource, config.USAGE_UPSERT_CHUNK_ROWS);
  const sweeper = new DeadLetterSweeper(redis, usageQueue, deadLetter, metrics, logger);
  const quotaThresholds = new QuotaThresholds(dataSource, redis, config.REDIS_PREFIX, clockOffsetKey);
  const keyExpiry = new KeyExpiryNotifier(dataSource);

  const usageWorker = new TolerantWorker(
    USAGE_QUEUE,
    usageBatchProcessor({
      repo: usageRepo,
      metrics,
      logger,
      deadLetter,
      maxEvents: config.USAGE_MAX_BATCH_EVENTS,
      attempts: config.USAGE_ATTEMPTS,
      backoffMs: config.USAGE_BACKOFF_MS,
      transientMaxMs: config.USAGE_TRANSIENT_MAX_MS,
      retentionDays: config.LEDGER_RETENTION_DAYS,
      onLateUsage: async (periods) => {
        await billingQueue.add(BILLING_LATE_USAGE, { periods }, { removeOnComplete: 100, removeOnFail: 100 });
      },
    }),
    {
      connection: redis,
      prefix,
      concurrency: config.USAGE_CONCURRENCY,
      lockDuration: config.USAGE_LOCK_MS,
      stalledInterval: config.USAGE_STALLED_INTERVAL_MS,
      maxStalledCount: 5,
      runRetryDelay: config.USAGE_FETCH_RETRY_MS,
      // An idle worker re-checks the queue every second (block timeout, in seconds): a failed fetch
      // consumes the wake-up marker, and the job would otherwise wait BullMQ's 5 s default on top.
      drainDelay: 1,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  );
  usageWorker.on('error', (err) => logger.error({ err: err.message }, 'usage worker error'));

  // Housekeeping on its own queue: the dead-letter sweep, the ledger and outbox retention, one schedule each per deployment.
  const maintenanceQueue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix });
  const maintenanceWorker = new Worker(
    MAINTENANCE_QUEUE,
    maintenanceProcessor({
      repo: usageRepo,
      sweeper,
      metrics,
      logger,
      retentionDays: config.LEDGER_RETENTION_DAYS,
      ds: dataSource,
      outboxRetentionDays: config.OUTBOX_RETENTION_DAYS,
    }),
    { connection: redis, prefix, concurrency: 1, runRetryDelay: config.USAGE_FETCH_RETRY_MS },
  );
  maintenanceWorker.on('error', (err) => logger.error({ err: err.message }, 'maintenance worker error'));
  const housekeeping = { removeOnComplete: 10, removeOnFail: 50 };
  await maintenanceQueue.upsertJobScheduler(
    DEAD_LETTER_SWEEP,
    { every: config.USAGE_DLQ_SWEEP_MS },
    {
      name: DEAD_LETTER_SWEEP,
      opts: housekeeping,
    },
  );
  await maintenanceQueue.upsertJobScheduler(
    LEDGER_PRUNE,
    { every: config.LEDGER_PRUNE_EVERY_MS },
    {
      name: LEDGER_PRUNE,
      opts: housekeeping,
    },
  );
  await maintenanceQueue.upsertJobScheduler(
    OUTBOX_PRUNE,
    { every: config.LEDGER_PRUNE_EVERY_MS },
    {
      name: OUTBOX_PRUNE,
      opts: housekeeping,
    },
  );

  const processBilling = billingProcessor({ billing, quotas, metrics, logger, thresholds: quotaThresholds });
  let billingWorker: Worker | undefined;
  if (config.BILLING_ENABLED) {
    billingWorker = new Worker(BILLING_QUEUE, processBilling, { connection: redis, prefix, concurrency: 1 });
    billingWorker.on('error', (err) => logger.error({ err: err.message }, 'billing worker error'));
    // Idempotent across replicas: one schedule per deployment, whoever upserts it.
    await billingQueue.upsertJobScheduler(
      'billing-tick',
      { every: config.BILLING_TICK_MS },
      {
        name: BILLING_TICK,
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
  }

  // Webhooks: the outbox relay (a timer, Postgres first) feeds the delivery queue.
  const webhookQueue = new Queue(WEBHOOK_DELIVERY_QUEUE, { connection: redis, prefix });
  const outbox = new OutboxRelay(
    dataSource,
    webhookQueue,
    logger,
    {
      attempts: config.WEBHOOK_ATTEMPTS,
      backoff: { type: 'webhook' },
      // Kept a day so a repeated add of the same job id stays a no-op.
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    },
    [notificationRelayHook],
  );
  const mailer = config.SMTP_URL
    ? new NotificationMailer(dataSource, config.SMTP_URL, config.SMTP_FROM, config.PORTAL_URL, logger)
    : undefined;
  const runOutboxTick = async () => {
    await outbox.tick();
    await mailer?.tick();
  };
  // Key-expiry notices: a BullMQ job scheduler (one schedule per deployment, whoever upserts it).
  const notificationsQueue = new Queue(NOTIFICATIONS_QUEUE, { connection: redis, prefix });
  const notificationsWorker = new Worker(NOTIFICATIONS_QUEUE, async () => ({ keyExpiring: await keyExpiry.check() }), {
    connection: redis,
    prefix,
    concurrency: 1,
  });
  notificationsWorker.on('error', (err) => logger.error({ err: err.message }, 'notifications worker error'));
  // Not awaited: with Redis down at boot the outbox relay (Postgres only) must still start.
  notificationsQueue
    .upsertJobScheduler(
      'key-expiry',
      { every: config.KEY_EXPIRY_CHECK_MS },
      {
        name: 'key-expiry',
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    )
    .catch((err: Error) => logger.error({ err: err.message }, 'key-expiry schedule not set'));
  const webhookWorker = new Worker(
    WEBHOOK_DELIVERY_QUEUE,
    webhookDeliveryProcessor({
      deliveries: new WebhookDeliveryService(dataSource, {
        secretKey: config.WEBHOOK_SECRET_KEY,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      }),
      logger,
    }),
    {
      connection: redis,
      prefix,
      concurrency: config.WEBHOOK_CONCURRENCY,
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          webhookBackoffMs(attemptsMade, config.WEBHOOK_BACKOFF_MS, config.WEBHOOK_BACKOFF_MAX_MS),
      },
    },
  );
  webhookWorker.on('error', (err) => logger.error({ err: err.message }, 'webhook worker error'));
  let relayTimer: NodeJS.Timeout | undefined;
  let relayRunning: Promise<void> = Promise.resolve();
  const scheduleRelay = () => {
    relayTimer = setTimeout(() => {
      relayRunning = runOutboxTick()
        .then(
          () => undefined,
          (err) => logger.error({ err: (err as Error).message }, 'outbox relay failed'),
        )
        .finally(() => {
          if (!closed) scheduleRelay();
        });
    }, config.OUTBOX_POLL_MS);
  };

  const withTimeout = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), ms).unref())]);
  const server = createHealthServer({
    registry: metrics.registry,
    ready: async () => {
      const [pg, rd] = await Promise.allSettled([
        withTimeout(dataSource.query('SELECT 1'), 2000),
        withTimeout(redis.ping(), 2000),
      ]);
      return { postgres: pg.status === 'fulfilled', redis: rd.status === 'fulfilled' };
    },
  });

  let closed = false;
  scheduleRelay();
  return {
    dataSource,
    billing,
    quotas,
    outbox,
    quotaThresholds,
    keyExpiry,
    metrics,
    logger,
    runOutboxTick,
    async listen(port = config.WORKER_PORT, host = config.WORKER_HOST) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      return (server.address() as AddressInfo).port;
    },
    async runBillingTick(now?: Date) {
      await billing.closeDuePeriods(now ?? new Date());
      await billing.applyLateUsage();
      await quotas.reconcile(now);
      await quotaThresholds.check(now);
    },
    sweepDeadLetters: () => sweeper.sweep(),
    async pruneLedger() {
      const pruned = await usageRepo.pruneLedger(config.LEDGER_RETENTION_DAYS);
      metrics.ledgerPruned.inc(pruned);
      return pruned;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(relayTimer);
      await Promise.race([relayRunning, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await usageWorker.close();
      await maintenanceWorker.close();
      await billingWorker?.close();
      await webhookWorker.close();
      await notificationsWorker.close();
      mailer?.close();
      await Promise.allSettled([
        usageQueue.close(),
        deadLetter.close(),
        billingQueue.close(),
        maintenanceQueue.close(),
        webhookQueue.close(),
        notificationsQueue.close(),
      ]);
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      await dataSource.destroy();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

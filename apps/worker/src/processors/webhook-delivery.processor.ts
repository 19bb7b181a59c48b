import type { Logger } from '@apim/observability';
import type { Job } from 'bullmq';
import type { WebhookDeliveryService } from '../webhooks/webhook-delivery.service';

/** Thin: one job = one attempt; a failed attempt throws so BullMQ retries it with backoff. */
export function webhookDeliveryProcessor(deps: { deliveries: WebhookDeliveryService; logger: Logger }) {
  return async (job: Job<{ deliveryId: string; generation: number }>) => {
    const isLast = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const { outcome, result } = await deps.deliveries.attempt(job.data.deliveryId, job.data.generation, isLast);
    if (outcome === 'retry' || outcome === 'failed') {
      deps.logger.info(
        { deliveryId: job.data.deliveryId, attempt: job.attemptsMade + 1, error: result?.error },
        'webhook attempt failed',
      );
      throw new Error(result?.error ?? 'delivery failed');
    }
    return outcome;
  };
}

import type { Gateway } from '../gateway';
import { isPrimaryRequest, type WorkerReply } from './worker-messages';

/** In a cluster worker: answers the primary's questions (readiness, metrics) about this gateway. */
export function answerPrimary(gateway: Gateway): void {
  process.on('message', (message: unknown) => {
    if (!isPrimaryRequest(message)) return;
    const { seq } = message;
    const reply: Promise<WorkerReply> =
      message.query === 'readiness'
        ? Promise.resolve({ apim: 'gateway', seq, query: 'readiness', readiness: gateway.readiness() })
        : gateway.server.metricsJson().then((metrics) => ({ apim: 'gateway', seq, query: 'metrics', metrics }));
    void reply.then(
      (r) => {
        if (process.connected) process.send?.(r);
      },
      () => undefined, // no answer: the primary reports this worker as not answering
    );
  });
}

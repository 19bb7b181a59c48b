import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The verified payload (`standardwebhooks` Webhook.verify). */
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** What the receiver answered. */
  status: number;
  receivedAt: number;
}

/**
 * A real HTTP endpoint for webhook tests. Every request is verified with the `standardwebhooks`
 * library once `secret` is set; one that fails verification is kept in `rejected` (and answered
 * 400), so a test can assert there were none. `answer` decides each status (default 200).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  readonly rejected: Array<{ headers: IncomingHttpHeaders; body: string; error: string }> = [];
  secret: string | undefined;
  answer: (n: number, req: { headers: IncomingHttpHeaders; body: string }) => number | Promise<number> = () => 200;
  private server: Server | undefined;
  url = '';

  async start(path = '/hook'): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let payload: ReceivedWebhook['payload'];
        try {
          if (!this.secret) throw new Error('receiver has no secret yet');
          payload = new Webhook(this.secret).verify(body, {
            'webhook-id': String(req.headers['webhook-id']),
            'webhook-timestamp': String(req.headers['webhook-timestamp']),
            'webhook-signature': String(req.headers['webhook-signature']),
          }) as ReceivedWebhook['payload'];
        } catch (err) {
          this.rejected.push({ headers: req.headers, body, error: (err as Error).message });
          res.writeHead(400).end();
          return;
        }
        const status = await this.answer(this.received.length + 1, { headers: req.headers, body });
        this.received.push({
          id: String(req.headers['webhook-id']),
          timestamp: String(req.headers['webhook-timestamp']),
          headers: req.headers,
          body,
          payload,
          status,
          receivedAt: Date.now(),
        });
        res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  ofType(type: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.payload.type === type);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }
}

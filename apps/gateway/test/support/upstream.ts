import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A small real upstream. Paths (after the gateway strips its prefix):
 *   /slow?ms=N     answers after N ms          /big?bytes=N  streams N bytes
 *   /upload        consumes the body, answers its length and sha256
 *   anything else  JSON echo of method, url and headers
 */
export class TestUpstream {
  readonly seen: Seen[] = [];
  /** Every request once it is over: did its body arrive complete, or was it aborted mid-way? */
  readonly ended: Array<{ url: string; complete: boolean; bytes: number }> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.once('close', () => this.ended.push({ url: req.url ?? '', complete: req.complete, bytes }));
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/slow') {
        const t = setTimeout(() => res.end('slow'), Number(u.searchParams.get('ms') ?? 1000));
        res.on('close', () => clearTimeout(t));
        return;
      }
      if (u.pathname === '/big') {
        let left = Number(u.searchParams.get('bytes') ?? 0);
        const chunk = Buffer.alloc(64 * 1024, 7);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': left });
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      if (u.pathname === '/upload') {
        const h = createHash('sha256');
        let n = 0;
        req.on('data', (c: Buffer) => {
          n += c.length;
          h.update(c);
        });
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ bytes: n, sha256: h.digest('hex') }));
        });
        return;
      }
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('connection', 'keep-alive, x-upstream-hop');
        res.setHeader('x-upstream-hop', 'must-not-reach-client');
        res.setHeader('server', 'Apache/2.4.1 (Unix)');
        res.setHeader('x-powered-by', 'PHP/5.6.40');
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
      });
    });
    this.server.keepAliveTimeout = 10_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

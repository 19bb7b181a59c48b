import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/**
 * A loopback port that never answers a connect: a child process listens with a backlog of 1 (Node
 * turns 0 into its default) and then blocks its event loop, so it never accepts. Two filler
 * connections fill the accept queue; every later SYN is dropped by the kernel and the connect
 * hangs (a blackholed upstream).
 */
export class Blackhole {
  private child: ChildProcess | undefined;
  private readonly fillers: Socket[] = [];
  port = 0;

  async start(): Promise<this> {
    const code = `const s = require('net').createServer();
      s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => process.stdout.write(s.address().port + '\\n', () =>
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)));`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      child.once('exit', () => reject(new Error('blackhole child exited')));
    });
    await new Promise((r) => setTimeout(r, 100)); // the child is now blocked
    for (let i = 0; i < 2; i++) {
      const f = connect(this.port, '127.0.0.1');
      f.on('error', () => undefined);
      this.fillers.push(f);
      await new Promise((r) => f.once('connect', r));
    }
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const f of this.fillers) f.destroy();
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }
}

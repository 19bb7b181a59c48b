/**
 * When to restart a crashed worker: at once-ish the first time, then doubling while it keeps
 * crashing soon after its start, up to `maxMs`. A worker that ran for `stableMs` before it died
 * starts the sequence again, so one crash a day never waits long.
 */
export class RestartBackoff {
  private failures = 0;

  constructor(
    private readonly baseMs = 250,
    private readonly maxMs = 30_000,
    private readonly stableMs = 30_000,
  ) {}

  /** The delay before the next start, given how long the worker that just exited had been running. */
  next(ranForMs: number): number {
    if (ranForMs >= this.stableMs) this.failures = 0;
    this.failures++;
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 30));
  }
}

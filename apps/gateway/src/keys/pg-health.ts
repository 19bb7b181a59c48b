/**
 * Tracks whether Postgres answers. The gateway keeps serving from its snapshot and key cache
 * while Postgres is away; /readyz turns red only after PG_DOWN_GRACE_MS of continuous failure.
 */
export class PgHealth {
  private failingSince: number | null = null;

  constructor(private readonly graceMs: number) {}

  ok(): void {
    this.failingSince = null;
  }

  failed(): void {
    if (this.failingSince === null) this.failingSince = Date.now();
  }

  get up(): boolean {
    return this.failingSince === null;
  }

  withinGrace(now = Date.now()): boolean {
    return this.failingSince === null || now - this.failingSince < this.graceMs;
  }
}

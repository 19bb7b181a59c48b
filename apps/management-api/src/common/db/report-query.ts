import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Report reads run with a statement_timeout (REPORT_STATEMENT_TIMEOUT_MS): a query an attacker
 * or an unlucky filter makes expensive is cancelled by Postgres (57014 → 503) instead of holding
 * a pooled connection and a core for minutes. Set on the session and reset before the connection
 * goes back to the pool, so writes elsewhere keep the server default.
 */
export async function withStatementTimeout<T>(
  ds: DataSource,
  timeoutMs: number,
  work: (qr: QueryRunner) => Promise<T>,
): Promise<T> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query(`SET statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    return await work(qr);
  } finally {
    await qr.query('RESET statement_timeout').catch(() => undefined);
    await qr.release();
  }
}

/** One report query under the timeout. */
export function reportQuery<T = unknown>(
  ds: DataSource,
  timeoutMs: number,
  sql: string,
  params: unknown[] = [],
): Promise<T> {
  return withStatementTimeout(ds, timeoutMs, (qr) => qr.query(sql, params) as Promise<T>);
}

import { once } from 'node:events';
import type { ApiRequest, ApiResponse } from '../../common/http/request';
import { type CsvColumn, csvHeader, csvLine } from './csv';

const FLUSH_BYTES = 16 * 1024;

/** `format` wins; without it, `Accept: text/csv` selects CSV; JSON otherwise. */
export function wantsCsv(format: 'json' | 'csv' | undefined, req: ApiRequest): boolean {
  if (format) return format === 'csv';
  const accept = req.headers.accept ?? '';
  return /\btext\/csv\b/i.test(accept);
}

export function sendJson(res: ApiResponse, body: unknown): void {
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/**
 * Streams rows as CSV with backpressure: the rows come from a database cursor and leave in 16 KB
 * chunks, so a report of any size needs constant memory. An error before the first byte becomes a
 * problem+json response (rethrown to the filter); after it, the connection is cut so a truncated
 * file can never pass for a complete one.
 */
export async function sendCsv<T>(
  res: ApiResponse,
  filename: string,
  columns: CsvColumn<T>[],
  rows: AsyncIterable<T>,
): Promise<void> {
  res.statusCode = 200;
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
  let buf = csvHeader(columns);
  let started = false;
  try {
    for await (const row of rows) {
      buf += csvLine(columns, row);
      if (buf.length >= FLUSH_BYTES) {
        started = true;
        const ok = res.write(buf);
        buf = '';
        if (!ok) await Promise.race([once(res, 'drain'), once(res, 'close')]);
        if (res.destroyed) return;
      }
    }
  } catch (err) {
    if (!started) throw err;
    res.destroy(err as Error);
    return;
  }
  res.end(buf);
}

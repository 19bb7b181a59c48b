/** One metered gateway request. Produced by the gateway, consumed by the worker. */
export interface UsageEvent {
  /** Unique per request (the request id). */
  id: string;
  /** ISO-8601 UTC time the request arrived. */
  at: string;
  apiId: string;
  appId: string | null;
  keyId: string | null;
  consumerId: string | null;
  /** Plan in force when the call was made: each call is rated under it. */
  planId: string | null;
  method: string;
  status: number;
  /** True only when the request was forwarded to the upstream. */
  billable: boolean;
  bytesIn: number;
  bytesOut: number;
  latencyMs: number;
  /**
   * Units the call counts (its route's cost rule, default 1): summed as `units` in the rollups
   * and, for billable calls, what quotas and billing count. Absent in events of older gateways = 1.
   */
  cost?: number;
}

/** One BullMQ job. `batchId` is also the BullMQ job id, so a re-add is a no-op. */
export interface UsageBatchJob {
  batchId: string;
  gatewayId: string;
  events: UsageEvent[];
}

export const USAGE_QUEUE = 'usage-batches';
export const USAGE_DEAD_LETTER_QUEUE = 'usage-batches-dead';
export const BILLING_QUEUE = 'billing';

/** Who a run of events belongs to: [apiId, appId, keyId, consumerId, planId]. */
export type UsageDims = [
  apiId: string,
  appId: string | null,
  keyId: string | null,
  consumerId: string | null,
  planId: string | null,
];

/**
 * The usage batch as the gateway queues it (format 2): the ids an event shares with others
 * (api, app, key, consumer, plan) once per batch in `dims`, and one text row per event,
 * `dim,id,at,method,status,billable,bytesIn,bytesOut,latencyMs,cost\n` (billable 1/0), `n` rows
 * (rows of gateways before cost-weighted routes have no `cost` field: cost 1).
 * About a quarter of the JSON of format 1, and written by the gateway straight into one reused
 * buffer instead of holding an object per event until the flush (those objects outlived the
 * young generation and were most of what the gateway promoted under load). Workers read both
 * formats through decodeUsageBatch.
 */
export interface EncodedUsageBatch {
  v: 2;
  batchId: string;
  gatewayId: string;
  n: number;
  dims: UsageDims[];
  rows: string;
}

/** A usage job's data: format 1 (`UsageBatchJob`, older gateways, tests) or format 2. */
export type UsageBatchPayload = UsageBatchJob | EncodedUsageBatch;

/** The job data is not a usage batch in either format. */
export class UsageBatchFormatError extends Error {
  override name = 'UsageBatchFormatError';
}

const ROW_FIELDS = 10;
/** Rows written before cost-weighted routes: no cost field. */
const ROW_FIELDS_V1 = 9;
/** An HTTP method is a token (RFC 9110): never a comma or a newline. Anything else is not written as is. */
const METHOD = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/;

/**
 * Builds one EncodedUsageBatch at a time: `add` appends an event's row to a buffer that is reused
 * from batch to batch, `take` hands the batch out and starts the next. Ids and the method are
 * ASCII (uuids, an HTTP token), the time is ISO-8601: none can hold a comma or a newline. The
 * method is the one field a client chooses; one that is not a token is recorded as `INVALID`
 * rather than break its row (Node's parser only lets known methods through anyway).
 */
export class UsageBatchWriter {
  private buf: Buffer;
  private len = 0;
  private dims: UsageDims[] = [];
  /** Dim indexes by key id (or api id for keyless events); usually one entry per key. */
  private byKey = new Map<string, number[]>();
  count = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  add(e: UsageEvent): void {
    const method = METHOD.test(e.method) ? e.method : 'INVALID';
    const row = `${this.dim(e)},${e.id},${e.at},${method},${e.status},${e.billable ? 1 : 0},${e.bytesIn},${e.bytesOut},${e.latencyMs},${e.cost ?? 1}\n`;
    // Every character is one byte (see the class comment); room for the worst case first.
    if (this.len + row.length * 3 > this.buf.length) this.grow(row.length * 3);
    this.len += this.buf.write(row, this.len, 'utf8');
    this.count++;
  }

  take(batchId: string, gatewayId: string): EncodedUsageBatch {
    const batch: EncodedUsageBatch = {
      v: 2,
      batchId,
      gatewayId,
      n: this.count,
      dims: this.dims,
      rows: this.buf.toString('utf8', 0, this.len),
    };
    this.len = 0;
    this.count = 0;
    this.dims = [];
    this.byKey = new Map();
    return batch;
  }

  private dim(e: UsageEvent): number {
    const k = e.keyId ?? e.apiId;
    let list = this.byKey.get(k);
    if (list) {
      for (const i of list) {
        const d = this.dims[i];
        if (d[0] === e.apiId && d[1] === e.appId && d[2] === e.keyId && d[3] === e.consumerId && d[4] === e.planId)
          return i;
      }
    } else {
      list = [];
      this.byKey.set(k, list);
    }
    const i = this.dims.push([e.apiId, e.appId, e.keyId, e.consumerId, e.planId]) - 1;
    list.push(i);
    return i;
  }

  private grow(atLeast: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + atLeast));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

const isNullableString = (x: unknown) => x === null || typeof x === 'string';

/**
 * Any usage job's data as format 1. Format 1 passes through untouched (the worker's schema
 * validates it); format 2 is unpacked, its structure checked here (a row of the wrong width, a
 * dim that does not exist, a row count that is not `n`) and each field left for the same
 * schema: numbers become numbers (NaN if they are not), billable 1/0 becomes true/false.
 */
export function decodeUsageBatch(data: unknown): UsageBatchJob {
  const d = data as Partial<EncodedUsageBatch> | null;
  if (d === null || typeof d !== 'object' || d.v === undefined) return data as UsageBatchJob;
  if (d.v !== 2) throw new UsageBatchFormatError(`unknown usage batch format ${JSON.stringify(d.v)}`);
  const { dims, rows, n } = d;
  if (
    !Array.isArray(dims) ||
    !dims.every(
      (x) => Array.isArray(x) && x.length === 5 && typeof x[0] === 'string' && x.slice(1).every(isNullableString),
    )
  ) {
    throw new UsageBatchFormatError('dims: expected [apiId, appId, keyId, consumerId, planId] entries');
  }
  if (typeof rows !== 'string' || typeof n !== 'number') throw new UsageBatchFormatError('rows and n are required');
  const lines = rows.length === 0 ? [] : rows.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== n) throw new UsageBatchFormatError(`rows: ${lines.length} rows, n says ${n}`);
  const events = lines.map((line, row): UsageEvent => {
    const f = line.split(',');
    if (f.length !== ROW_FIELDS && f.length !== ROW_FIELDS_V1)
      throw new UsageBatchFormatError(`row ${row}: ${f.length} fields, expected ${ROW_FIELDS}`);
    const dim = dims[Number(f[0])];
    if (!/^\d+$/.test(f[0]) || !dim) throw new UsageBatchFormatError(`row ${row}: no dim ${f[0]}`);
    const [apiId, appId, keyId, consumerId, planId] = dim;
    return {
      id: f[1],
      at: f[2],
      apiId,
      appId,
      keyId,
      consumerId,
      planId,
      method: f[3],
      status: Number(f[4]),
      billable: (f[5] === '1' ? true : f[5] === '0' ? false : f[5]) as boolean,
      bytesIn: Number(f[6]),
      bytesOut: Number(f[7]),
      latencyMs: Number(f[8]),
      cost: f.length === ROW_FIELDS ? Number(f[9]) : 1,
    };
  });
  return { batchId: d.batchId as string, gatewayId: d.gatewayId as string, events };
}

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeyRecord } from '../keys/key-store';
import type { SnapshotData } from './snapshot';

/** A cached key as written to the file: its hash (HMAC of the key, not the key) and what it grants. */
export type FileKey = Pick<KeyRecord, 'id' | 'appId' | 'status' | 'expiresAt'> & { hash: string };

export interface SnapshotFileContent {
  data: SnapshotData;
  keys: FileKey[];
  savedAt: string;
}

const FORMAT = 1;

/**
 * The last known good snapshot on disk (GATEWAY_SNAPSHOT_FILE), for a gateway started while
 * Postgres is down. One JSON document: `{ format, savedAt, checksum, body }`, `body` being the
 * snapshot (routes, plans, apps, consumer statuses) and the key cache as hashes only — never a
 * key, never a secret — and `checksum` the SHA-256 of `body`. Written to a temporary file and
 * renamed, so a crash mid-write never leaves a torn file (nor do concurrent writers: see
 * writeSnapshotFile); a file whose checksum does not match
 * is ignored.
 */
export function serialiseSnapshot(data: SnapshotData, keys: FileKey[]): string {
  const body = JSON.stringify({
    apis: data.apis,
    plans: [...data.plans.values()].map((p) => ({ ...p, apiIds: [...p.apiIds] })),
    apps: [...data.apps.values()],
    consumers: [...data.consumers],
    keys,
    loadedAt: data.loadedAt.toISOString(),
  });
  return body;
}

export async function writeSnapshotFile(path: string, body: string, now = new Date()): Promise<void> {
  const checksum = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const doc = `{"format":${FORMAT},"savedAt":${JSON.stringify(now.toISOString())},"checksum":${JSON.stringify(checksum)},"body":${JSON.stringify(body)}}\n`;
  await mkdir(dirname(path), { recursive: true });
  // A temporary name of its own per write: with GATEWAY_WORKERS > 1 every worker writes the same
  // file, and two writes must never share (and interleave in) one temporary file. The rename is
  // atomic, so a reader sees one whole document or another, never a mix; the last one wins.
  const tmp = `${path}.${process.pid}.${++tmpSeq}.tmp`;
  try {
    await writeFile(tmp, doc, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

let tmpSeq = 0;

/** The file's content, or why it cannot be used (missing, unreadable, wrong format, checksum mismatch). */
export async function readSnapshotFile(
  path: string,
): Promise<{ ok: true; content: SnapshotFileContent } | { ok: false; reason: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return {
      ok: false,
      reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no snapshot file' : (err as Error).message,
    };
  }
  try {
    const doc = JSON.parse(text) as { format?: unknown; savedAt?: unknown; checksum?: unknown; body?: unknown };
    if (
      doc.format !== FORMAT ||
      typeof doc.body !== 'string' ||
      typeof doc.checksum !== 'string' ||
      typeof doc.savedAt !== 'string'
    ) {
      return { ok: false, reason: 'not a snapshot file of a known format' };
    }
    const actual = `sha256:${createHash('sha256').update(doc.body).digest('hex')}`;
    if (actual !== doc.checksum) return { ok: false, reason: 'checksum mismatch' };
    const b = JSON.parse(doc.body) as {
      apis: SnapshotData['apis'];
      plans: Array<
        Omit<SnapshotData['plans'] extends Map<string, infer P> ? P : never, 'apiIds'> & { apiIds: string[] }
      >;
      apps: Array<SnapshotData['apps'] extends Map<string, infer A> ? A : never>;
      consumers: Array<[string, 'active' | 'suspended' | 'pending']>;
      keys: FileKey[];
      loadedAt: string;
    };
    const data: SnapshotData = {
      // A file written before cost rules existed: every call costs 1.
      apis: b.apis.map((a) => ({ ...a, costRules: a.costRules ?? [] })),
      plans: new Map(b.plans.map((p) => [p.id, { ...p, apiIds: new Set(p.apiIds) }])),
      apps: new Map(b.apps.map((a) => [a.id, a])),
      consumers: new Map(b.consumers),
      loadedAt: new Date(b.loadedAt),
    };
    return { ok: true, content: { data, keys: b.keys, savedAt: doc.savedAt } };
  } catch (err) {
    return { ok: false, reason: `unreadable: ${(err as Error).message}` };
  }
}

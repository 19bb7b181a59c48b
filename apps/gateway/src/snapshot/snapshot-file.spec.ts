import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSnapshotFile, serialiseSnapshot, writeSnapshotFile } from './snapshot-file';

const dir = mkdtempSync(join(tmpdir(), 'gw-snapshot-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const body = (n: number) =>
  serialiseSnapshot(
    { apis: [], plans: new Map(), apps: new Map(), consumers: new Map(), loadedAt: new Date(0) },
    Array.from({ length: 200 }, (_, i) => ({
      id: `k${n}-${i}`,
      appId: `app-${n}`,
      status: 'active' as const,
      expiresAt: null,
      hash: `${n}`.repeat(64).slice(0, 64),
    })),
  );

describe('writeSnapshotFile', () => {
  it('many writers at once (GATEWAY_WORKERS > 1 all write it): every read is whole, no temporary file is left', async () => {
    const path = join(dir, 'concurrent.json');
    let writing = true;
    const reads: string[] = [];
    const reader = (async () => {
      while (writing) {
        const r = await readSnapshotFile(path);
        reads.push(r.ok ? `ok:${r.content.keys[0].appId}` : r.reason);
      }
    })();
    for (let round = 0; round < 5; round++)
      await Promise.all(Array.from({ length: 16 }, (_, n) => writeSnapshotFile(path, body(n))));
    writing = false;
    await reader;
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) expect(r).toMatch(/^(ok:app-\d+|no snapshot file)$/);
    const last = await readSnapshotFile(path);
    expect(last.ok).toBe(true);
    if (last.ok) expect(new Set(last.content.keys.map((k) => k.appId)).size).toBe(1);
    expect(readdirSync(dir).filter((f) => f.startsWith('concurrent.json'))).toEqual(['concurrent.json']);
  });

  it('a failed write leaves no temporary file behind', async () => {
    const path = join(dir, 'failing', 'x.json');
    rmSync(join(dir, 'failing'), { recursive: true, force: true });
    // The target is a directory: the rename fails after the temporary file was written.
    await writeSnapshotFile(join(path, 'inner.json'), body(1));
    await expect(writeSnapshotFile(path, body(2))).rejects.toThrow();
    expect(readdirSync(join(dir, 'failing')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConfigChangePublisher, PendingChange } from '../events/config-change.publisher';
import { UnitOfWork } from './unit-of-work';

/** A stand-in DataSource counting transactions (the real ones are exercised by the integration tests). */
function fixture() {
  let transactions = 0;
  const published: PendingChange[][] = [];
  const ds = {
    transaction: async <T>(fn: (em: EntityManager) => Promise<T>) =>
      fn({ id: ++transactions } as unknown as EntityManager),
  } as unknown as DataSource;
  const publisher = {
    publish: async (c: PendingChange[]) => void published.push(c),
  } as unknown as ConfigChangePublisher;
  return { uow: new UnitOfWork(ds, publisher), published, count: () => transactions };
}

describe('UnitOfWork', () => {
  it('a run inside a run joins the outer transaction; its changes publish once the outer one commits', async () => {
    const f = fixture();
    await f.uow.run(async (outer) => {
      outer.changed({ kind: 'api', id: 'a' });
      await f.uow.run(async (inner) => {
        expect(inner.em).toBe(outer.em);
        inner.changed({ kind: 'plan', id: 'p' });
      });
      expect(f.published).toEqual([]);
    });
    expect(f.count()).toBe(1);
    expect(f.published).toEqual([
      [
        { kind: 'api', id: 'a' },
        { kind: 'plan', id: 'p' },
      ],
    ]);
  });

  it('coalesce publishes one message for many changes, and nothing when nothing changed', async () => {
    const f = fixture();
    const all = { kind: 'all' as const, id: null };
    await f.uow.run(
      async (tx) => {
        tx.changed({ kind: 'api', id: 'a' });
        tx.changed({ kind: 'api', id: 'b' });
      },
      { coalesce: all },
    );
    await f.uow.run(async () => undefined, { coalesce: all });
    expect(f.published).toEqual([[all]]);
  });

  it('work left running after the outer transaction ended gets a transaction of its own', async () => {
    const f = fixture();
    let later: Promise<unknown> = Promise.resolve();
    await f.uow.run(async () => {
      later = new Promise((r) => setTimeout(r, 10)).then(() => f.uow.run(async (tx) => tx.em));
    });
    const em = (await later) as unknown as { id: number };
    expect(em.id).toBe(2);
    expect(f.count()).toBe(2);
  });

  it('a failing inner run fails the outer one and publishes nothing', async () => {
    const f = fixture();
    await expect(
      f.uow.run(async (tx) => {
        tx.changed({ kind: 'api', id: 'a' });
        await f.uow.run(async () => {
          throw new Error('boom');
        });
      }),
    ).rejects.toThrow('boom');
    expect(f.published).toEqual([]);
  });
});

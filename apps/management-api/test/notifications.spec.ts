import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

type Dev = Awaited<ReturnType<TestApp['developer']>>;

describe('portal notifications (made by the worker; read and marked read here)', () => {
  let t: TestApp;
  let alice: Dev;
  let bob: Dev;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await TestApp.start('notifications');
    alice = await t.developer('alice');
    bob = await t.developer('bob');
    for (const [type, data, at] of [
      ['key.created', { keyId: 'k1' }, '2026-01-01T00:00:00Z'],
      ['quota.threshold', { threshold: 80 }, '2026-01-02T00:00:00Z'],
      ['quota.threshold', { threshold: 100 }, '2026-01-03T00:00:00Z'],
    ] as const) {
      const [row] = await t.sql(
        `INSERT INTO notifications (consumer_id, type, data, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
        [alice.consumerId, type, data, at],
      );
      ids.push(row.id);
    }
    await t.sql(`INSERT INTO notifications (consumer_id, type, data) VALUES ($1, 'key.revoked', '{}')`, [
      bob.consumerId,
    ]);
  });
  afterAll(async () => t?.stop());

  it("lists the team's notifications newest first with an unread count", async () => {
    const r = await t.call('GET', '/v1/portal/notifications', { token: alice.token });
    expect(r.status).toBe(200);
    expect(r.json.items.map((n: { id: string }) => n.id)).toEqual([...ids].reverse());
    expect(r.json.items[0]).toEqual({
      id: ids[2],
      type: 'quota.threshold',
      createdAt: '2026-01-03T00:00:00.000Z',
      readAt: null,
      data: { threshold: 100 },
    });
    expect(r.json).toMatchObject({ total: 3, unreadCount: 3 });
  });

  it('marks one read (idempotent, keeps the first time); unread filter and count follow', async () => {
    expect((await t.call('POST', `/v1/portal/notifications/${ids[1]}/read`, { token: alice.token })).status).toBe(204);
    const first = (await t.call('GET', '/v1/portal/notifications', { token: alice.token })).json;
    const readAt = first.items.find((n: { id: string }) => n.id === ids[1]).readAt;
    expect(readAt).toMatch(/Z$/);
    expect(first.unreadCount).toBe(2);
    expect((await t.call('POST', `/v1/portal/notifications/${ids[1]}/read`, { token: alice.token })).status).toBe(204);
    const again = (await t.call('GET', '/v1/portal/notifications?unread=true', { token: alice.token })).json;
    expect(again.items.map((n: { id: string }) => n.id)).toEqual([ids[2], ids[0]]);
    expect(again).toMatchObject({ total: 2, unreadCount: 2 });
    expect(
      (await t.call('GET', '/v1/portal/notifications', { token: alice.token })).json.items.find(
        (n: { id: string }) => n.id === ids[1],
      ).readAt,
    ).toBe(readAt);
  });

  it('read-all clears the bell', async () => {
    expect((await t.call('POST', '/v1/portal/notifications/read-all', { token: alice.token })).status).toBe(204);
    expect((await t.call('GET', '/v1/portal/notifications', { token: alice.token })).json.unreadCount).toBe(0);
  });

  it('another team sees none of them and gets 404 marking one; bad input is refused', async () => {
    const r = await t.call('GET', '/v1/portal/notifications', { token: bob.token });
    expect(r.json.items.map((n: { type: string }) => n.type)).toEqual(['key.revoked']);
    expectProblem(
      await t.call('POST', `/v1/portal/notifications/${ids[0]}/read`, { token: bob.token }),
      404,
      'not_found',
    );
    expectProblem(await t.call('POST', '/v1/portal/notifications/nope/read', { token: bob.token }), 404, 'not_found');
    expectProblem(
      await t.call('POST', '/v1/portal/notifications/00000000-0000-4000-8000-000000000000/read', { token: bob.token }),
      404,
      'not_found',
    );
    expectProblem(
      await t.call('GET', '/v1/portal/notifications?unread=maybe', { token: bob.token }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('GET', '/v1/portal/notifications?limit=-1', { token: bob.token }),
      400,
      'validation_failed',
    );
    expectProblem(await t.call('GET', '/v1/portal/notifications'), 401, 'unauthenticated');
    expectProblem(await t.call('GET', '/v1/portal/notifications', { token: await t.adminToken() }), 403, 'forbidden');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start('approval', { SIGNUP_APPROVAL: 'true' });
});
afterAll(async () => {
  await t?.stop();
});

describe('SIGNUP_APPROVAL=true', () => {
  it('new consumers start pending; they can log in but not create apps or keys until approved', async () => {
    const dev = await t.developer('pending');
    const me = await t.call('GET', '/v1/auth/me', { token: dev.token });
    expect(me.json.consumerStatus).toBe('pending');
    const plan = await t.createPlan();
    expectProblem(
      await t.call('POST', '/v1/portal/apps', { token: dev.token, body: { name: 'x', planId: plan.id } }),
      403,
      'consumer_pending',
    );

    // An admin creates an app for them; keys are still refused to the developer.
    const admin = await t.adminToken();
    const app = await t.call('POST', '/v1/admin/apps', {
      token: admin,
      body: { consumerId: dev.consumerId, name: 'by admin', planId: plan.id },
    });
    expect(app.status).toBe(201);
    expectProblem(
      await t.call('POST', `/v1/portal/apps/${app.json.id}/keys`, { token: dev.token, body: {} }),
      403,
      'consumer_pending',
    );
    expect((await t.call('GET', `/v1/portal/apps/${app.json.id}/keys`, { token: dev.token })).status).toBe(200);

    // Approve: the same token now works (status is read per request).
    expect(
      (await t.call('PATCH', `/v1/admin/consumers/${dev.consumerId}`, { token: admin, body: { status: 'active' } }))
        .status,
    ).toBe(200);
    expect((await t.call('POST', `/v1/portal/apps/${app.json.id}/keys`, { token: dev.token, body: {} })).status).toBe(
      201,
    );

    // Suspend: refused with its own code.
    expect(
      (await t.call('PATCH', `/v1/admin/consumers/${dev.consumerId}`, { token: admin, body: { status: 'suspended' } }))
        .status,
    ).toBe(200);
    expectProblem(
      await t.call('POST', `/v1/portal/apps/${app.json.id}/keys`, { token: dev.token, body: {} }),
      403,
      'consumer_suspended',
    );
  });
});

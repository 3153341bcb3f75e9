import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { addMember, describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('training', (env) => {
  it('assigns modules by role, to new members and on role change, records completion with a score, and lists the overdue', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const sales = await addMember(env(), admin, 'salesperson');
    const basics = (
      await admin.post('/api/v1/training-modules', {
        title: 'GDPR basics',
        roles: ['salesperson', 'marketing_manager'],
        passScore: 70,
        refresherDays: 365,
      })
    ).body;
    const marketing = (await admin.post('/api/v1/training-modules', { title: 'Consent and campaigns', roles: ['marketing_manager'] })).body;
    assert.equal(basics.assigned, 1, 'the existing salesperson gets it');
    assert.deepEqual(
      (await sales.get('/api/v1/training-assignments/mine')).body.items.map((a: any) => a.moduleTitle),
      ['GDPR basics'],
    );

    const newcomer = await addMember(env(), admin, 'marketing_manager');
    assert.deepEqual(
      (await newcomer.get('/api/v1/training-assignments/mine')).body.items.map((a: any) => a.moduleTitle).sort(),
      ['Consent and campaigns', 'GDPR basics'],
      'a new member gets the modules of their role',
    );

    assert.equal((await admin.patch(`/api/v1/members/${sales.info.member.id}`, { role: 'marketing_manager' })).status, 200);
    assert.deepEqual(
      (await sales.get('/api/v1/training-assignments/mine')).body.items.map((a: any) => a.moduleTitle).sort(),
      ['Consent and campaigns', 'GDPR basics'],
      "a role change brings the new role's modules",
    );

    const mine = (await sales.get('/api/v1/training-assignments/mine')).body.items.find((a: any) => a.moduleId === basics.id);
    assert.equal((await sales.post(`/api/v1/training-assignments/${mine.id}/complete`, { score: 50 })).status, 409, 'below the pass mark');
    assert.equal((await newcomer.post(`/api/v1/training-assignments/${mine.id}/complete`, { score: 90 })).status, 403, 'only your own');
    assert.equal((await sales.post(`/api/v1/training-assignments/${mine.id}/complete`, { score: 85 })).status, 200);
    assert.equal((await sales.post(`/api/v1/training-assignments/${mine.id}/complete`, { score: 85 })).status, 409);
    const modules = (await admin.get('/api/v1/training-modules')).body.items;
    assert.deepEqual(
      modules.find((m: any) => m.id === basics.id),
      { ...basics, assigned: 2, completed: 1 },
    );

    await withTenant(env().db, tenantId, (tx) =>
      tx
        .updateTable('training_assignments')
        .set({ due_at: new Date(Date.now() - 86_400_000) })
        .where('module_id', '=', marketing.id)
        .execute(),
    );
    const overdue = (await admin.get('/api/v1/training-assignments?overdue=true')).body.items;
    assert.deepEqual(overdue.map((a: any) => a.memberId).sort(), [sales.info.member.id, newcomer.info.member.id].sort());
    assert.ok(overdue.every((a: any) => a.overdue && a.moduleId === marketing.id));
  });
});

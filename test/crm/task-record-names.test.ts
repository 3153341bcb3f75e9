import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('tasks name their records', (env) => {
  it('a page of tasks carries each linked record’s name, the people’s decrypted, and records that they were shown', async () => {
    const admin = await signUp(env());
    const me = admin.info.member.id;
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz' })).body;
    const lead = (await admin.post('/api/v1/leads', { companyName: 'Cummerata Group' })).body;
    const account = (await admin.post('/api/v1/accounts', { name: "O'Keefe - Cummerata" })).body;
    const deal = (
      await admin.post('/api/v1/opportunities', { name: 'Renewal 2027', accountId: account.id, amount: '1000', currency: 'EUR' })
    ).body;
    const links = [
      { type: 'contact', id: contact.id },
      { type: 'lead', id: lead.id },
      { type: 'account', id: account.id },
      { type: 'opportunity', id: deal.id },
      null,
    ];
    for (const [i, record] of links.entries()) {
      const task = await admin.post('/api/v1/tasks', { title: `Task ${i}`, assigneeId: me, record });
      assert.equal(task.status, 201, JSON.stringify(task.body));
    }
    const page = await admin.get('/api/v1/tasks?sort=createdAt&limit=10');
    assert.deepEqual(
      page.body.items.map((task: { title: string; recordName: string | null }) => [task.title, task.recordName]),
      [
        ['Task 0', 'Keeley Schultz'],
        ['Task 1', 'Cummerata Group'],
        ['Task 2', "O'Keefe - Cummerata"],
        ['Task 3', 'Renewal 2027'],
        ['Task 4', null],
      ],
    );
    const shown = await withTenant(env().db, admin.info.workspace.id, (tx) =>
      tx.selectFrom('record_reads').select(['person_id', 'action']).where('person_id', 'in', [contact.id, lead.id]).execute(),
    );
    assert.deepEqual(shown.map((row) => row.action).sort(), ['contact.list', 'lead.list']);
  });
});

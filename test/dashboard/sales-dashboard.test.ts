import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addMember, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

async function created(client: Client, path: string, body: Record<string, unknown>): Promise<string> {
  const response = await client.post(path, body);
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.id;
}

const month = (offset: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 15)).toISOString();
};

describeEachDatabase('Sales dashboard', (env) => {
  it('sums the pipeline by stage and currency, counts wins and losses by month, activity by member and lead conversion', async () => {
    const admin = await signUp(env());
    const seller = await addMember(env(), admin, 'salesperson');
    const sellerId = seller.info.member.id as string;
    const adminId = admin.info.member.id as string;
    const inAMonth = month(1).slice(0, 10);

    await created(admin, '/api/v1/opportunities', {
      name: 'A',
      stage: 'proposal',
      amount: '1000.50',
      currency: 'EUR',
      expectedCloseDate: inAMonth,
    });
    await created(admin, '/api/v1/opportunities', {
      name: 'B',
      stage: 'proposal',
      amount: '500',
      currency: 'EUR',
      expectedCloseDate: inAMonth,
    });
    await created(admin, '/api/v1/opportunities', {
      name: 'C',
      stage: 'proposal',
      amount: '700',
      currency: 'USD',
      expectedCloseDate: inAMonth,
    });
    await created(seller, '/api/v1/opportunities', {
      name: 'D',
      stage: 'qualification',
      amount: '90',
      currency: 'EUR',
      expectedCloseDate: inAMonth,
    });
    await created(admin, '/api/v1/opportunities', {
      name: 'Far away',
      stage: 'proposal',
      amount: '5',
      currency: 'EUR',
      expectedCloseDate: '2031-01-01',
    });
    const won = await created(admin, '/api/v1/opportunities', { name: 'Won', stage: 'closed_won', amount: '300', currency: 'EUR' });
    const lostLastMonth = await created(admin, '/api/v1/opportunities', {
      name: 'Lost',
      stage: 'closed_lost',
      amount: '10',
      currency: 'EUR',
    });
    await env()
      .db.kysely.updateTable('opportunities')
      .set({ closed_at: new Date(month(-1)) })
      .where('id', '=', lostLastMonth)
      .execute();

    // Three leads: two converted, one of them into a contact on the won deal.
    const leads = [
      await created(admin, '/api/v1/leads', { firstName: 'L1', email: 'l1@example.org' }),
      await created(admin, '/api/v1/leads', { firstName: 'L2', email: 'l2@example.org' }),
      await created(admin, '/api/v1/leads', { firstName: 'L3', email: 'l3@example.org' }),
    ];
    const first = await admin.post(`/api/v1/leads/${leads[0]}/convert`, {});
    assert.equal(first.status, 200, JSON.stringify(first.body));
    await admin.post(`/api/v1/leads/${leads[1]}/convert`, {});
    assert.equal((await admin.patch(`/api/v1/opportunities/${won}`, { contactIds: [first.body.contactId] })).status, 200);

    const contact = first.body.contactId as string;
    for (const kind of ['call', 'call', 'email', 'meeting']) {
      await created(admin, '/api/v1/notes', { kind, body: 'Spoke about the order', record: { type: 'contact', id: contact } });
    }
    await created(seller, '/api/v1/tasks', { title: 'Send the brochure', done: true });

    const dashboard = await admin.get('/api/v1/dashboard/sales');
    assert.equal(dashboard.status, 200, JSON.stringify(dashboard.body));
    const body = dashboard.body;
    assert.deepEqual(body.pipeline, [
      { stage: 'qualification', currency: 'EUR', count: 1, amount: '90.00' },
      { stage: 'proposal', currency: 'EUR', count: 3, amount: '1505.50' },
      { stage: 'proposal', currency: 'USD', count: 1, amount: '700.00' },
    ]);
    assert.equal(body.months.length, 12, 'every month of the default period, the empty ones too');
    const thisMonth = body.months.at(-1);
    assert.equal(thisMonth.month, new Date().toISOString().slice(0, 7));
    assert.deepEqual(thisMonth, { month: thisMonth.month, won: 1, lost: 0, wonAmounts: [{ currency: 'EUR', amount: '300.00' }] });
    assert.equal(body.months.at(-2).lost, 1);
    assert.deepEqual(body.conversion, { leads: 3, converted: 2, won: 1 });
    assert.deepEqual(body.activities, [
      ...[
        { memberId: adminId, calls: 2, emails: 1, meetings: 1, notes: 0, tasksDone: 0 },
        { memberId: sellerId, calls: 0, emails: 0, meetings: 0, notes: 0, tasksDone: 1 },
      ].sort((a, b) => a.memberId.localeCompare(b.memberId)),
    ]);

    // A salesperson's dashboard counts only what they may see; an owner filter narrows anyone's.
    const theirs = (await seller.get('/api/v1/dashboard/sales')).body;
    assert.deepEqual(theirs.pipeline, [{ stage: 'qualification', currency: 'EUR', count: 1, amount: '90.00' }]);
    assert.deepEqual(
      theirs.activities.map((row: { memberId: string }) => row.memberId),
      [sellerId],
    );
    const sellersOnly = (await admin.get(`/api/v1/dashboard/sales?ownerId=${sellerId}`)).body;
    assert.deepEqual(sellersOnly.pipeline, theirs.pipeline);
    assert.deepEqual(sellersOnly.conversion, { leads: 0, converted: 0, won: 0 });

    const lastMonthOnly = (await admin.get(`/api/v1/dashboard/sales?from=${month(-1).slice(0, 8)}01&to=${month(-1).slice(0, 8)}28`)).body;
    assert.deepEqual(
      lastMonthOnly.months.map((row: { won: number; lost: number }) => [row.won, row.lost]),
      [[0, 1]],
    );
    assert.equal((await admin.get('/api/v1/dashboard/sales?from=2026-05-01&to=2026-04-01')).status, 400);
  });
});

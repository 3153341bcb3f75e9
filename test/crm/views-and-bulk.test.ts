import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { activePurpose, giveConsent } from '../support/consent-fixtures.ts';
import { addMember, describeEachDatabase, signUp, type Client, type TestEnv } from '../support/helpers.ts';

const ids = (response: { body: { items: Array<{ id: string }> } }) => response.body.items.map((item) => item.id).sort();

async function contact(admin: Client, body: Record<string, unknown>): Promise<string> {
  const created = await admin.post('/api/v1/contacts', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

async function auditActions(env: TestEnv, tenantId: string, action: string) {
  return withTenant(env.db, tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['object_type', 'object_id'])
      .where('tenant_id', '=', tenantId)
      .where('action', '=', action)
      .execute(),
  );
}

describeEachDatabase('List filters, saved views and bulk actions', (env) => {
  it('filters lists by owner (me, team, a member), dates, inactivity, custom fields and consent for a purpose', async () => {
    const admin = await signUp(env());
    const manager = await addMember(env(), admin, 'sales_manager');
    const seller = await addMember(env(), admin, 'salesperson');
    const members = (await admin.get('/api/v1/members')).body.items as Array<{ id: string; role: string }>;
    const sellerId = members.find((m) => m.role === 'salesperson')!.id;
    const managerId = members.find((m) => m.role === 'sales_manager')!.id;
    for (const id of [sellerId, managerId]) assert.equal((await admin.patch(`/api/v1/members/${id}`, { team: 'North' })).status, 200);

    const field = await admin.post('/api/v1/custom-fields', {
      object: 'contact',
      key: 'tier',
      label: 'Tier',
      type: 'single_select',
      options: ['gold', 'silver'],
    });
    assert.equal(field.status, 201, JSON.stringify(field.body));
    await admin.post('/api/v1/custom-fields', { object: 'contact', key: 'hobby', label: 'Hobby', type: 'text', personal: true });
    const mine = await contact(admin, { firstName: 'Ada', custom: { tier: 'gold' } });
    const sellers = await contact(admin, { firstName: 'Bo', ownerId: sellerId, custom: { tier: 'silver' } });
    const managers = await contact(admin, { firstName: 'Cy', ownerId: managerId });

    assert.deepEqual(ids(await admin.get('/api/v1/contacts?ownerId=me')), [mine]);
    assert.deepEqual(ids(await manager.get('/api/v1/contacts?ownerId=team')), [sellers, managers].sort());
    assert.deepEqual(ids(await seller.get('/api/v1/contacts?ownerId=team')), [sellers], 'a salesperson still sees only their own');
    assert.deepEqual(ids(await admin.get(`/api/v1/contacts?ownerId=${sellerId}`)), [sellers]);
    assert.deepEqual(ids(await admin.get('/api/v1/contacts?custom=tier:gold')), [mine]);
    assert.deepEqual(
      ids(await admin.get(`/api/v1/contacts?createdAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)),
      [],
    );

    const unknown = await admin.get('/api/v1/contacts?custom=tire:gold');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.details.allowed, ['tier'], 'names the fields there are, never the personal ones');
    const personal = await admin.get('/api/v1/contacts?custom=hobby:chess');
    assert.equal(personal.status, 400);
    assert.match(personal.body.message, /encrypted/);

    // No activity for 30 days: created before, nothing logged since. One has a call 3 days ago.
    await env()
      .db.kysely.updateTable('contacts')
      .set({ created_at: new Date(Date.now() - 90 * 86_400_000) })
      .where('id', 'in', [mine, sellers])
      .execute();
    const call = await admin.post('/api/v1/notes', {
      kind: 'call',
      body: 'Called about the renewal',
      record: { type: 'contact', id: sellers },
      occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
    });
    assert.equal(call.status, 201, JSON.stringify(call.body));
    assert.deepEqual(ids(await admin.get('/api/v1/contacts?inactiveDays=30')), [mine]);

    const purpose = await activePurpose(admin);
    await giveConsent(admin, managers, purpose.id);
    assert.deepEqual(ids(await admin.get(`/api/v1/contacts?consentPurpose=${purpose.id}&consentState=granted`)), [managers]);
    assert.deepEqual(ids(await admin.get(`/api/v1/contacts?consentPurpose=${purpose.id}&consentState=none`)), [mine, sellers].sort());
    assert.equal((await admin.get('/api/v1/contacts?consentState=granted')).status, 400, 'a state needs its purpose');

    // The same filters behind a search by name and a sort by name (the directory proposes, the database confirms).
    assert.deepEqual(ids(await admin.get('/api/v1/contacts?q=bo&ownerId=team')), []);
    assert.deepEqual(ids(await manager.get('/api/v1/contacts?sort=lastName&ownerId=team&custom=tier:silver')), [sellers]);
  });

  it('saves views: defaults first, private and shared, checked against the list, changed only by their author', async () => {
    const admin = await signUp(env());
    const seller = await addMember(env(), admin, 'salesperson');
    const defaults = await admin.get('/api/v1/views?object=contact');
    assert.equal(defaults.status, 200);
    assert.deepEqual(
      defaults.body.items.map((view: { name: string }) => view.name),
      ['My records', "My team's records", 'Recently updated', 'No activity for 30 days'],
    );
    assert.deepEqual(defaults.body.items[1].filters, { ownerId: 'team' });
    assert.deepEqual(defaults.body.items[3].filters, { inactiveDays: 30 });

    const shared = await admin.post('/api/v1/views', {
      object: 'contact',
      name: 'German customers',
      shared: true,
      filters: { country: 'de', sourceType: 'import' },
      sort: 'lastName',
      columns: ['name', 'account', 'owner'],
    });
    assert.equal(shared.status, 201, JSON.stringify(shared.body));
    assert.deepEqual(shared.body.filters, { country: 'DE', sourceType: 'import' });
    const hidden = await admin.post('/api/v1/views', { object: 'contact', name: 'Mine only', filters: { ownerId: 'me' } });
    assert.equal(hidden.status, 201);

    const sellerViews = (await seller.get('/api/v1/views?object=contact')).body.items as Array<{ name: string; editable: boolean }>;
    assert.deepEqual(
      sellerViews.map((view) => view.name),
      ['My records', 'Recently updated', 'No activity for 30 days', 'German customers'],
    );
    assert.equal(sellerViews[3]!.editable, false);
    assert.equal((await seller.patch(`/api/v1/views/${shared.body.id}`, { name: 'Mine now' })).status, 403);
    assert.equal(
      (await seller.delete(`/api/v1/views/${hidden.body.id}`)).status,
      404,
      "another member's private view does not exist for them",
    );
    assert.equal((await admin.patch('/api/v1/views/default:my-records', { name: 'x' })).status, 403);

    const badFilter = await admin.post('/api/v1/views', { object: 'contact', name: 'Bad', filters: { stage: 'proposal', country: 'XX' } });
    assert.equal(badFilter.status, 400);
    assert.match(badFilter.body.message, /filters\.country/);
    assert.match(badFilter.body.message, /stage: not a filter of this list/);
    const badSort = await admin.post('/api/v1/views', { object: 'contact', name: 'Bad', sort: 'amount' });
    assert.equal(badSort.status, 400);
    assert.ok(badSort.body.details.allowed.includes('-lastName'));
    assert.equal((await admin.post('/api/v1/views', { object: 'contact', name: 'german CUSTOMERS' })).status, 409);

    const renamed = await admin.patch(`/api/v1/views/${shared.body.id}`, { name: 'DACH customers', filters: { country: 'AT' } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.sort, 'lastName', 'what the patch does not name stays');
    assert.equal((await admin.delete(`/api/v1/views/${hidden.body.id}`)).status, 204);
    assert.equal((await admin.get('/api/v1/views?object=contact')).body.items.length, 5);
  });

  it('bulk-assigns a whole view, audited once with the count; a selection; a search by name', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const seller = await addMember(env(), admin, 'salesperson');
    const sellerId = ((await admin.get('/api/v1/members')).body.items as Array<{ id: string; role: string }>).find(
      (m) => m.role === 'salesperson',
    )!.id;
    const french: string[] = [];
    for (let i = 0; i < 30; i += 1) french.push(await contact(admin, { firstName: `Zoé${i}`, lastName: 'Martin', country: 'FR' }));
    const german = await contact(admin, { firstName: 'Jonas', lastName: 'Keller', country: 'DE' });

    const preview = await admin.post('/api/v1/contacts/bulk/assign', { filters: { country: 'FR' }, ownerId: sellerId, preview: true });
    assert.deepEqual(preview.body, { id: null, count: 30 });
    assert.deepEqual(ids(await seller.get('/api/v1/contacts')), [], 'a preview changes nothing');

    const done = await admin.post('/api/v1/contacts/bulk/assign', { filters: { country: 'FR' }, ownerId: sellerId });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.count, 30);
    assert.deepEqual(ids(await seller.get('/api/v1/contacts?limit=100')), french.sort());
    const audited = await auditActions(env(), tenantId, 'contact.bulk_assign');
    assert.deepEqual(audited, [{ object_type: 'bulk_action', object_id: done.body.id }], 'one audit event for thirty records');
    const recorded = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('bulk_actions').selectAll().where('tenant_id', '=', tenantId).executeTakeFirstOrThrow(),
    );
    assert.equal(recorded.record_count, 30);
    assert.deepEqual([...recorded.record_ids].sort(), french.sort());
    assert.equal(recorded.owner_id, sellerId);

    // A salesperson may give records only to themselves; a selection of what they cannot see is skipped.
    const refused = await seller.post('/api/v1/contacts/bulk/assign', { ids: french.slice(0, 2), ownerId: admin.info.member.id });
    assert.equal(refused.status, 403);
    const unseen = await seller.post('/api/v1/contacts/bulk/assign', { ids: [german, french[0]], ownerId: sellerId });
    assert.equal(unseen.body.count, 1, 'only the one they can see');

    const searched = await admin.post('/api/v1/contacts/bulk/assign', { filters: { q: 'kel' }, ownerId: sellerId });
    assert.equal(searched.body.count, 1, 'the search by name, as the list shows it');
    assert.equal((await admin.get(`/api/v1/contacts/${german}`)).body.ownerId, sellerId);

    const both = await admin.post('/api/v1/contacts/bulk/assign', { ids: [german], filters: {}, ownerId: sellerId });
    assert.equal(both.status, 422);
    const wrongFilter = await admin.post('/api/v1/contacts/bulk/assign', { filters: { stage: 'proposal' }, ownerId: sellerId });
    assert.equal(wrongFilter.status, 400);
  });

  it('bulk-deletes with a count first, removing tasks and keys; adds people to a hand-picked segment', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const people: string[] = [];
    for (let i = 0; i < 5; i += 1) people.push(await contact(admin, { firstName: `P${i}`, country: 'IT' }));
    const task = await admin.post('/api/v1/tasks', { title: 'Call back', record: { type: 'contact', id: people[0] } });
    assert.equal(task.status, 201);

    const segment = await admin.post('/api/v1/contacts/bulk/add-to-segment', { ids: people.slice(0, 3), segmentName: 'Trade fair Milan' });
    assert.equal(segment.status, 200, JSON.stringify(segment.body));
    const again = await admin.post('/api/v1/contacts/bulk/add-to-segment', { ids: people.slice(2), segmentId: segment.body.segmentId });
    assert.equal(again.body.count, 3);
    const shown = await admin.get(`/api/v1/segments/${segment.body.segmentId}`);
    assert.equal(shown.body.size, 5, 'each person once');
    assert.equal(shown.body.handPicked, true);
    assert.equal((await admin.patch(`/api/v1/segments/${segment.body.segmentId}`, { filter: { country: 'IT' } })).status, 422);
    const filtered = await admin.post('/api/v1/segments', { name: 'Italy', object: 'contact', filter: { country: 'IT' } });
    const intoFiltered = await admin.post('/api/v1/contacts/bulk/add-to-segment', { ids: people, segmentId: filtered.body.id });
    assert.equal(intoFiltered.status, 422, 'a segment defined by a filter takes no one by hand');

    const count = await admin.post('/api/v1/contacts/bulk/delete', { filters: { country: 'IT' }, preview: true });
    assert.equal(count.body.count, 5);
    const deleted = await admin.post('/api/v1/contacts/bulk/delete', { ids: people.slice(0, 2) });
    assert.equal(deleted.body.count, 2);
    assert.equal((await admin.get(`/api/v1/contacts/${people[0]}`)).status, 404);
    assert.equal((await admin.get(`/api/v1/tasks/${task.body.id}`)).status, 404, 'its tasks go with it');
    assert.equal((await admin.get(`/api/v1/segments/${segment.body.segmentId}`)).body.size, 3, 'and it leaves the segment');
    const keys = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('subject_keys').select('wrapped_key').where('tenant_id', '=', tenantId).where('id', 'in', people.slice(0, 2)).execute(),
    );
    assert.ok(
      keys.every((key) => key.wrapped_key === null),
      'their keys are destroyed',
    );
    assert.equal((await auditActions(env(), tenantId, 'contact.bulk_delete')).length, 1);
    assert.equal((await auditActions(env(), tenantId, 'contact.delete')).length, 0, 'not once per record');

    const junior = await addMember(env(), admin, 'jr_salesperson');
    assert.equal((await junior.post('/api/v1/contacts/bulk/delete', { ids: people })).status, 403);
  });
});

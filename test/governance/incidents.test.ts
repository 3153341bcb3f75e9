import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BULK_EXPORT_THRESHOLD } from '../../src/governance/incidents.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { addMember, describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('breach register', (env) => {
  it('opens a draft incident listing exactly the people in an anomalous bulk export, and alerts the DPO', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const dpo = await addMember(env(), admin, 'salesperson', { isDpo: true });
    const manager = await addMember(env(), admin, 'company_manager');
    const count = BULK_EXPORT_THRESHOLD + 20;
    const csv = ['email,first name', ...Array.from({ length: count }, (_, i) => `bulk${i}@export.example,Bulk${i}`)].join('\n');
    assert.equal(
      (await admin.request('POST', '/api/v1/imports/contacts?fileName=bulk.csv', csv, { 'content-type': 'text/csv' })).status,
      200,
    );
    const extra = (await admin.post('/api/v1/leads', { firstName: 'Not exported', email: 'lead@export.example' })).body;

    // A small export is ordinary.
    assert.equal((await manager.get('/api/v1/exports/leads?format=json')).status, 200);
    assert.deepEqual((await admin.get('/api/v1/incidents')).body.items, []);

    const exported = await manager.get('/api/v1/exports/contacts?format=json');
    assert.equal(exported.status, 200);
    assert.equal(exported.body.length, count);
    const incidents = (await dpo.get('/api/v1/incidents')).body.items;
    assert.equal(incidents.length, 1);
    const draft = incidents[0];
    assert.equal(draft.status, 'draft');
    assert.equal(draft.source, 'detection:bulk_export');
    assert.equal(draft.affectedPersons, count);
    assert.equal(draft.clock.level, 'running');
    const listed = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('incident_persons').select('person_id').where('incident_id', '=', draft.id).execute(),
    );
    assert.deepEqual(
      listed.map((row) => row.person_id).sort(),
      exported.body.map((row: any) => row.id).sort(),
      'exactly the exported people',
    );
    assert.ok(!listed.some((row) => row.person_id === extra.id));
    assert.ok(env().mailer.sent.some((m) => m.to === dpo.info.user.email && /bulk export/i.test(m.subject)));

    // The DPO assesses it: notification required, drafts carry the Art. 33(3) contents.
    assert.equal((await dpo.patch(`/api/v1/incidents/${draft.id}`, { status: 'notified' })).status, 409, 'decide first');
    const decided = await dpo.post(`/api/v1/incidents/${draft.id}/decision`, {
      notificationRequired: true,
      reason: 'Contact data of many people left the company on an unapproved device',
    });
    assert.equal(decided.body.status, 'open');
    await dpo.patch(`/api/v1/incidents/${draft.id}`, {
      categoriesOfData: ['contact details'],
      likelyConsequences: 'Unwanted contact, phishing',
      measures: 'Device wiped; member retrained',
    });
    const drafts = (await dpo.get(`/api/v1/incidents/${draft.id}/drafts`)).body;
    assert.match(drafts.authority, /\(a\) Nature of the breach: An export of \d+ people/, 'a partial update keeps the rest of the record');
    for (const heading of ['(a) Nature of the breach', '(b) Data protection officer', '(c) Likely consequences', '(d) Measures taken'])
      assert.ok(drafts.authority.includes(heading), heading);
    assert.ok(drafts.authority.includes(String(count)));
    assert.ok(drafts.persons.includes('phishing'));
    const notified = await dpo.patch(`/api/v1/incidents/${draft.id}`, { status: 'notified' });
    assert.equal(notified.body.clock.level, 'stopped');
    assert.ok(notified.body.authorityNotifiedAt);

    // The same people, computed from the export log for that member and window.
    const manual = (await dpo.post('/api/v1/incidents', { title: 'Exports by a departing employee' })).body;
    const computed = await dpo.post(`/api/v1/incidents/${manual.id}/affected`, {
      exportedBy: manager.info.member.id,
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date().toISOString(),
    });
    assert.equal(computed.body.affectedPersons, count + 1, 'the contacts and the lead the member exported');
  });
});

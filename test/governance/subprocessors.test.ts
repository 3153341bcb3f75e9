import assert from 'node:assert/strict';
import { it } from 'node:test';
import { visitor } from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('sub-processors and transfers', (env) => {
  it('requires a safeguard that fits the destination, logs changes, and lists them publicly and in access reports', async () => {
    const admin = await signUp(env());
    const slug = admin.info.workspace.slug;
    const base = {
      name: 'Mailhost Inc.',
      service: 'Email delivery',
      dataCategories: ['email address', 'name'],
      agreementRef: 'DPA-2026-01',
      agreementSignedOn: '2026-01-15',
    };
    assert.equal(
      (await admin.post('/api/v1/subprocessors', { ...base, country: 'US', safeguard: 'eea' })).status,
      422,
      'the US is outside the EEA',
    );
    assert.equal(
      (await admin.post('/api/v1/subprocessors', { ...base, country: 'IN', safeguard: 'adequacy' })).status,
      422,
      'no adequacy decision for India',
    );
    assert.equal(
      (await admin.post('/api/v1/subprocessors', { ...base, country: 'IN', safeguard: 'sccs' })).status,
      422,
      'SCCs need module and version',
    );
    assert.equal(
      (await admin.post('/api/v1/subprocessors', { ...base, country: 'DE', safeguard: 'sccs', sccModule: 2, sccVersion: '2021/914' }))
        .status,
      422,
      'no transfer within the EEA',
    );
    const mail = await admin.post('/api/v1/subprocessors', {
      ...base,
      country: 'IN',
      safeguard: 'sccs',
      sccModule: 3,
      sccVersion: '2021/914',
    });
    assert.equal(mail.status, 201, JSON.stringify(mail.body));
    assert.equal(mail.body.thirdCountryTransfer, true);
    const host = (await admin.post('/api/v1/subprocessors', { name: 'Hosting GmbH', service: 'Servers', country: 'DE', safeguard: 'eea' }))
      .body;
    assert.equal(host.thirdCountryTransfer, false);
    assert.equal(
      (await admin.patch(`/api/v1/subprocessors/${host.id}`, { country: 'US' })).status,
      422,
      'moving it abroad needs a safeguard',
    );
    assert.equal((await admin.patch(`/api/v1/subprocessors/${host.id}`, { country: 'CH', safeguard: 'adequacy' })).status, 200);
    assert.equal((await admin.delete(`/api/v1/subprocessors/${mail.body.id}`)).status, 204);

    const page = String((await visitor(env()).get(`/privacy/${slug}/subprocessors`)).body);
    assert.ok(page.includes('Hosting GmbH') && page.includes('adequacy decision'));
    assert.ok(!page.includes('<td>Mailhost Inc.</td>'), 'removed ones are not listed as current');
    for (const line of ['Mailhost Inc. added', 'Hosting GmbH updated', 'Mailhost Inc. removed']) assert.ok(page.includes(line), line);

    await admin.post('/api/v1/contacts', { firstName: 'Rec', emails: ['recipient@processors.example'] });
    const request = (await admin.post('/api/v1/dsr-requests', { type: 'access', channel: 'email', email: 'recipient@processors.example' }))
      .body;
    const report = (await admin.get(`/api/v1/dsr-requests/${request.id}/report`)).body;
    assert.ok(report.recipients.some((r: string) => r.startsWith('Hosting GmbH')));
    assert.ok(!report.recipients.some((r: string) => r.startsWith('Mailhost')));
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { extractText } from 'unpdf';
import { withTenant } from '../../src/db/tenant.ts';
import { activePurpose } from '../support/consent-fixtures.ts';
import { addMember, describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('data protection impact assessments', (env) => {
  it('scores risks, needs the DPO opinion to sign off, voids the sign-off on change, exports a PDF and reminds reviews', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const dpo = await addMember(env(), admin, 'salesperson', { isDpo: true });
    const purpose = await activePurpose(admin, { name: 'Lead scoring' });
    assert.equal((await dpo.post('/api/v1/dpias', { activityId: 'no-such-activity', title: 'X', reviewOn: '2027-01-01' })).status, 422);
    const created = await dpo.post('/api/v1/dpias', {
      activityId: purpose.id,
      title: 'Lead scoring with web tracking',
      description: 'Scores leads from their visits',
      necessity: 'Only business contacts; scores kept 6 months',
      risks: [
        {
          risk: 'Profiling beyond expectations',
          likelihood: 3,
          severity: 3,
          mitigations: [{ measure: 'Opt-out in every email', owner: 'Marketing lead' }],
        },
        { risk: 'Leak of scores', likelihood: 1, severity: 2 },
      ],
      reviewOn: '2027-06-01',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      created.body.risks.map((r: any) => [r.score, r.level]),
      [
        [9, 'high'],
        [2, 'low'],
      ],
    );
    const id = created.body.id;
    assert.equal((await dpo.post(`/api/v1/dpias/${id}/sign-off`)).status, 409, 'no DPO opinion yet');
    await dpo.patch(`/api/v1/dpias/${id}`, { dpoOpinion: 'Acceptable once the opt-out is in place', residualRisk: 'medium' });
    const signed = await dpo.post(`/api/v1/dpias/${id}/sign-off`);
    assert.equal(signed.body.signedOffBy, dpo.info.member.id);
    assert.equal(
      (await dpo.patch(`/api/v1/dpias/${id}`, { reviewOn: '2027-07-01' })).body.signedOffAt !== null,
      true,
      'moving the review date keeps the sign-off',
    );
    assert.equal(
      (await dpo.patch(`/api/v1/dpias/${id}`, { necessity: 'Scores kept 3 months' })).body.signedOffAt,
      null,
      'a substantive change voids it',
    );

    const response = await env().server.inject({ method: 'GET', url: `/api/v1/dpias/${id}?format=pdf`, headers: { cookie: dpo.cookie! } });
    assert.equal(response.headers['content-type'], 'application/pdf');
    const { text } = await extractText(new Uint8Array(response.rawPayload), { mergePages: true });
    for (const heading of [
      'Data protection impact assessment',
      'Necessity and proportionality',
      'Risks (likelihood x severity)',
      'Residual risk',
      'Opinion of the data protection officer',
      'Profiling beyond expectations',
    ]) {
      assert.ok(text.includes(heading), `the PDF has ${heading}`);
    }

    await withTenant(env().db, tenantId, (tx) => tx.updateTable('dpias').set({ review_on: '2020-01-01' }).where('id', '=', id).execute());
    await env().app.jobs.runSchedulesNow();
    await env().app.jobs.drain();
    assert.ok(env().mailer.sent.some((m) => m.to === dpo.info.user.email && /due for review/.test(m.subject)));
    assert.equal((await dpo.get(`/api/v1/dpias/${id}`)).body.reviewDue, true);
  });
});

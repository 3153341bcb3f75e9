import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { activePurpose, contactWith, giveConsent } from '../support/consent-fixtures.ts';
import { addMember, ageWorkspace, describeEachDatabase, signUp, type Client, type TestEnv } from '../support/helpers.ts';

/**
 * The dashboard's figures against counts taken straight from the tables, with the consent state
 * worked out here from the raw ledger (not from the consent_states view the service reads).
 */
async function expectedFigures(env: TestEnv, tenantId: string) {
  return withTenant(env.db, tenantId, async (tx) => {
    const contacts = await tx.selectFrom('contacts').select(['id', 'anonymised_at']).where('tenant_id', '=', tenantId).execute();
    const leads = await tx.selectFrom('leads').select(['id', 'anonymised_at', 'converted_at']).where('tenant_id', '=', tenantId).execute();
    const people = [
      ...contacts.filter((c) => !c.anonymised_at).map((c) => c.id),
      ...leads.filter((l) => !l.anonymised_at && !l.converted_at).map((l) => l.id),
    ];
    const purposes = await tx.selectFrom('purposes').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'active').execute();
    const events = await tx
      .selectFrom('consent_events')
      .select(['person_id', 'purpose_id', 'kind', 'requires_confirmation', 'seq'])
      .where('tenant_id', '=', tenantId)
      .orderBy('seq')
      .execute();
    const latest = new Map<string, string>();
    for (const event of events) {
      if (event.kind === 'repermission_requested') continue;
      latest.set(
        `${event.person_id}/${event.purpose_id}`,
        event.kind === 'given'
          ? event.requires_confirmation
            ? 'pending'
            : 'granted'
          : event.kind === 'confirmed'
            ? 'granted'
            : event.kind,
      );
    }
    const granted = (purposeId: string) => people.filter((person) => latest.get(`${person}/${purposeId}`) === 'granted').length;
    const withoutBasis = people.filter(
      (person) => !purposes.some((p) => p.legal_basis === 'consent' && latest.get(`${person}/${p.id}`) === 'granted'),
    ).length;
    const dsr = await tx.selectFrom('dsr_requests').select(['status', 'due_at']).where('tenant_id', '=', tenantId).execute();
    const byStatus: Record<string, number> = {};
    for (const row of dsr) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    const open = dsr.filter((row) => !['completed', 'rejected'].includes(row.status));
    const assignments = await tx
      .selectFrom('training_assignments')
      .select(['completed_at', 'due_at'])
      .where('tenant_id', '=', tenantId)
      .execute();
    const processors = await tx
      .selectFrom('subprocessors')
      .select(['name', 'country'])
      .where('tenant_id', '=', tenantId)
      .where('active', '=', true)
      .execute();
    const incidents = await tx
      .selectFrom('incidents')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', ['draft', 'open'])
      .execute();
    return {
      people: people.length,
      granted: Object.fromEntries(purposes.filter((p) => p.legal_basis === 'consent').map((p) => [p.id, granted(p.id)])),
      withoutBasis,
      byStatus,
      open: open.length,
      overdue: open.filter((row) => new Date(row.due_at) < new Date()).length,
      assignments: assignments.length,
      completed: assignments.filter((a) => a.completed_at).length,
      processors: processors.length,
      outsideEea: processors
        .filter((p) => !['DE', 'FR'].includes(p.country))
        .map((p) => p.name)
        .sort(),
      incidents: incidents.map((i) => i.id).sort(),
    };
  });
}

async function seed(env: TestEnv, admin: Client) {
  const newsletter = await activePurpose(admin, { name: 'Newsletter' });
  const webinars = await activePurpose(admin, { name: 'Webinar invitations' });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(await contactWith(admin, `dash${i}@compliance.example`));
  const lead = (await admin.post('/api/v1/leads', { firstName: 'Lead', email: 'lead@compliance.example' })).body.id;
  const unconsented = (await admin.post('/api/v1/leads', { firstName: 'Other', email: 'other@compliance.example' })).body.id;
  await giveConsent(admin, ids[0]!, newsletter.id);
  await giveConsent(admin, ids[1]!, newsletter.id);
  await admin.post(`/api/v1/contacts/${ids[1]}/consents`, {
    purposeId: newsletter.id,
    kind: 'withdrawn',
    method: 'verbal',
    source: 'phone call',
  });
  await giveConsent(admin, ids[2]!, newsletter.id);
  await giveConsent(admin, ids[2]!, webinars.id);
  await giveConsent(admin, ids[3]!, webinars.id);
  const leadConsent = await admin.post(`/api/v1/leads/${lead}/consents`, {
    purposeId: newsletter.id,
    kind: 'given',
    method: 'verbal',
    text: 'Yes to the newsletter',
    source: 'fair',
  });
  assert.equal(leadConsent.status, 201, JSON.stringify(leadConsent.body));

  await ageWorkspace(env, admin.info.workspace.id, 60);
  for (const [type, receivedAt] of [
    ['access', new Date(Date.now() - 40 * 86_400_000).toISOString()],
    ['erasure', undefined],
    ['objection', undefined],
  ] as const) {
    const created = await admin.post('/api/v1/dsr-requests', {
      type,
      channel: 'email',
      email: `${type}@requester.example`,
      ...(receivedAt ? { receivedAt } : {}),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  await admin.post('/api/v1/training-modules', { title: 'GDPR basics', roles: ['administrator', 'salesperson'] });
  await admin.post('/api/v1/subprocessors', {
    name: 'Hosting GmbH',
    service: 'Servers',
    country: 'DE',
    safeguard: 'eea',
    agreementRef: 'DPA-1',
  });
  await admin.post('/api/v1/subprocessors', {
    name: 'Mailhost Inc.',
    service: 'Email delivery',
    country: 'US',
    safeguard: 'adequacy',
    agreementRef: 'DPA-2',
  });
  await admin.post('/api/v1/incidents', { title: 'Laptop stolen' });
  return { newsletter, webinars, unconsented };
}

describeEachDatabase('compliance dashboard', (env) => {
  it('reports figures equal to direct counts, and scores the CNIL six steps with evidence', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    await addMember(env(), admin, 'salesperson');
    await seed(env(), admin);

    const summary = (await admin.get('/api/v1/compliance/summary')).body;
    const expected = await expectedFigures(env(), tenantId);
    assert.equal(summary.people, expected.people);
    assert.equal(summary.people, 8);
    assert.deepEqual(Object.fromEntries(summary.consent.map((c: any) => [c.purposeId, c.granted])), expected.granted);
    for (const item of summary.consent) assert.equal(item.rate, Math.round((item.granted / expected.people) * 10_000) / 10_000);
    assert.equal(summary.consent.find((c: any) => c.name === 'Newsletter').withdrawn, 1);
    assert.equal(summary.peopleWithoutValidBasis, expected.withoutBasis);
    assert.equal(summary.peopleWithoutValidBasis, 4, 'the withdrawn one, two contacts and a lead never asked');
    assert.deepEqual(summary.dsr.byStatus, expected.byStatus);
    assert.equal(summary.dsr.open, expected.open);
    assert.equal(summary.dsr.overdue, expected.overdue);
    assert.equal(summary.dsr.overdue, 1);
    assert.equal(summary.training.assignments, expected.assignments);
    assert.equal(summary.training.completed, expected.completed);
    assert.equal(summary.subprocessors.count, expected.processors);
    assert.deepEqual(summary.subprocessors.thirdCountryTransfers.map((t: any) => t.name).sort(), expected.outsideEea);
    assert.deepEqual(summary.incidents.map((i: any) => i.id).sort(), expected.incidents);
    assert.ok(summary.incidents.every((i: any) => i.level === 'running' && i.hoursRemaining > 71));
    const rules = (await admin.get('/api/v1/retention-rules')).body.items;
    for (const backlog of summary.retentionBacklog) {
      const preview = (await admin.get(`/api/v1/retention-rules/${backlog.ruleId}/preview?limit=5000`)).body.items;
      assert.equal(backlog.backlog, preview.length, backlog.name);
    }
    assert.equal(summary.retentionBacklog.length, rules.filter((r: any) => r.enabled).length);

    const steps = Object.fromEntries(summary.cnil.steps.map((s: any) => [s.step, s]));
    assert.equal(summary.cnil.steps.length, 6);
    assert.equal(steps['Appoint a data protection officer'].status, 'missing');
    assert.equal(steps['Map processing in the register (Art. 30)'].status, 'partial', 'never saved as a version');
    assert.equal(steps['Manage risks: impact assessments (Art. 35)'].status, 'missing', 'data goes to the US without a DPIA');
    assert.equal(steps['Organise internal procedures (requests, breaches, retention)'].status, 'partial', 'an overdue request');
    assert.equal(steps['Train staff'].status, 'missing');
    assert.ok(summary.cnil.steps.every((s: any) => s.evidence.length > 0 && s.evidence.every((e: any) => e.href.startsWith('/'))));
    const scoreOf = (all: any[]) =>
      Math.round((all.reduce((sum, s) => sum + (s.status === 'done' ? 1 : s.status === 'partial' ? 0.5 : 0), 0) / all.length) * 100);
    assert.equal(summary.cnil.score, scoreOf(summary.cnil.steps));

    // Acting on the findings moves the steps.
    const members = (await admin.get('/api/v1/members')).body.items;
    const me = members.find((m: any) => m.id === admin.info.member.id);
    assert.equal((await admin.patch(`/api/v1/members/${me.id}`, { isDpo: true })).status, 200);
    assert.equal((await admin.post('/api/v1/register/versions')).status, 201);
    for (const purpose of (await admin.get('/api/v1/purposes')).body.items) {
      await admin.patch(`/api/v1/purposes/${purpose.id}`, {
        description: `Why: ${purpose.name}`,
        retention: 'Until withdrawn, then 3 years',
      });
    }
    await admin.post('/api/v1/register/versions');
    for (const purpose of (await admin.get('/api/v1/purposes')).body.items) {
      const dpia = (
        await admin.post('/api/v1/dpias', {
          activityId: purpose.id,
          title: `DPIA ${purpose.name}`,
          reviewOn: '2030-01-01',
          residualRisk: 'low',
        })
      ).body;
      await admin.patch(`/api/v1/dpias/${dpia.id}`, { dpoOpinion: 'Acceptable: the transfer relies on an adequacy decision' });
      assert.equal((await admin.post(`/api/v1/dpias/${dpia.id}/sign-off`)).status, 200, JSON.stringify(dpia));
    }
    const mine = (await admin.get('/api/v1/training-assignments/mine')).body.items;
    for (const assignment of mine) await admin.post(`/api/v1/training-assignments/${assignment.id}/complete`, { score: 90 });
    const after = (await admin.get('/api/v1/compliance/summary')).body;
    const now = Object.fromEntries(after.cnil.steps.map((s: any) => [s.step, s.status]));
    assert.equal(now['Appoint a data protection officer'], 'done');
    assert.equal(now['Map processing in the register (Art. 30)'], 'done', JSON.stringify(after.cnil.steps[1]));
    assert.equal(now['Manage risks: impact assessments (Art. 35)'], 'done');
    assert.equal(now['Train staff'], 'partial', 'one of two members trained');
    assert.equal(after.training.completed, 1);
    assert.ok(after.cnil.score > summary.cnil.score);

    // Only those who may read governance see it.
    const seller = await addMember(env(), admin, 'salesperson');
    assert.equal((await seller.get('/api/v1/compliance/summary')).status, 403);
  });
});

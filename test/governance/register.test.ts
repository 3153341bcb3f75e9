import assert from 'node:assert/strict';
import { it } from 'node:test';
import { extractText } from 'unpdf';
import { withTenant } from '../../src/db/tenant.ts';
import { workspaceInventory } from '../../src/inventory/inventory.ts';
import { activePurpose, balancingTest } from '../support/consent-fixtures.ts';
import { addMember, describeEachDatabase, signUp, type TestEnv } from '../support/helpers.ts';

async function pdfText(env: TestEnv, cookie: string, url: string): Promise<string> {
  const response = await env.server.inject({ method: 'GET', url, headers: { cookie } });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'application/pdf');
  const { text } = await extractText(new Uint8Array(response.rawPayload), { mergePages: true });
  return text;
}

describeEachDatabase('register of processing activities', (env) => {
  it('lists every active purpose and every inventory category, as JSON, CSV and a PDF that opens', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    await addMember(env(), admin, 'salesperson', { isDpo: true });
    const newsletter = await activePurpose(admin, {
      name: 'Monthly newsletter',
      recipients: ['Marketing team'],
      retention: 'Until withdrawn',
    });
    const followUp = (await admin.post('/api/v1/purposes', { key: 'follow', name: 'Sales follow-up', legalBasis: 'legitimate_interest' }))
      .body;
    await admin.post(`/api/v1/purposes/${followUp.id}/balancing-tests`, balancingTest(admin.info.member.id));
    await admin.patch(`/api/v1/purposes/${followUp.id}`, { status: 'active' });
    await admin.post('/api/v1/subprocessors', { name: 'Mailhost Inc.', service: 'Email delivery', country: 'US', safeguard: 'adequacy' });

    const register = (await admin.get('/api/v1/register')).body;
    const purposes = (await admin.get('/api/v1/purposes?status=active')).body.items;
    for (const purpose of purposes)
      assert.ok(
        register.activities.some((a: any) => a.id === purpose.id && a.legalBasis === purpose.legalBasis),
        `${purpose.name} is in the register`,
      );
    const inventory = await withTenant(env().db, tenantId, (tx) => workspaceInventory(tx, tenantId));
    const categories = new Set(register.activities.flatMap((a: any) => a.categoriesOfData).map((c: string) => c.split(' ')[0]));
    const labels: Record<string, string> = {
      identity: 'identity',
      contact: 'contact',
      online_identifier: 'online',
      professional: 'professional',
      free_text: 'free',
      location: 'place',
    };
    for (const category of new Set(inventory.map((e) => e.category)))
      assert.ok(categories.has(labels[category]!), `category ${category} is in the register`);
    const activity = register.activities.find((a: any) => a.id === newsletter.id);
    assert.ok(activity.recipients.includes('Marketing team') && activity.recipients.some((r: string) => r.startsWith('Mailhost')));
    assert.match(activity.transfers[0], /Mailhost Inc\.: US, adequacy decision/);
    assert.equal(register.controller.dpo.length, 1);

    const csv = (await admin.get('/api/v1/register?format=csv')).body as string;
    for (const purpose of purposes) assert.ok(csv.includes(purpose.name));
    const text = await pdfText(env(), admin.cookie!, '/api/v1/register?format=pdf');
    for (const heading of [
      'Register of processing activities',
      'Monthly newsletter',
      'Sales follow-up',
      'Legal basis',
      'Third-country transfers',
      'Security measures',
    ])
      assert.ok(text.includes(heading), `the PDF has ${heading}`);

    const first = (await admin.post('/api/v1/register/versions')).body;
    assert.equal(first.version, 1);
    assert.equal((await admin.post('/api/v1/register/versions')).body.saved, false, 'nothing changed, no new version');
    await admin.patch(`/api/v1/purposes/${newsletter.id}`, { retention: '24 months' });
    const second = (await admin.post('/api/v1/register/versions')).body;
    assert.deepEqual([second.version, second.changes], [2, ['changed: Monthly newsletter']]);
    assert.deepEqual(
      (await admin.get('/api/v1/register/versions')).body.items.map((v: any) => v.version),
      [2, 1],
    );

    const proof = await pdfText(
      env(),
      admin.cookie!,
      `/api/v1/contacts/${(await admin.post('/api/v1/contacts', { firstName: 'P', emails: ['p@register.example'] })).body.id}/consents/proof?format=pdf`,
    );
    assert.ok(proof.includes('Proof of consent') && proof.includes('Current state per purpose'), 'the proof-of-consent PDF opens too');
  });
});

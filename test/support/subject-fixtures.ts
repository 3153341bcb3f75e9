import assert from 'node:assert/strict';
import { activePurpose, giveConsent, liveForm, publicPath, SOFT_OPT_IN, templateAndSegment, visitor } from './consent-fixtures.ts';
import type { Client, TestEnv } from './helpers.ts';

export const EMAIL = 'zelda.quarry@subject.example';
// Long, distinctive values: a scan for them must not trip over base64 ciphertext by chance.
export const NAME = { first: 'Zeldarina', last: 'Quarrington' };
export const NICKNAME = 'Zeddy-the-quarry';
export const PHONE = '+49 30 5550199';

/** A person with a value in every personal-data field of the inventory. */
export async function personEverywhere(env: TestEnv, admin: Client) {
  await admin.post('/api/v1/custom-fields', { object: 'contact', key: 'nickname', label: 'Nickname', type: 'text', personal: true });
  await admin.post('/api/v1/custom-fields', { object: 'lead', key: 'hobby', label: 'Hobby', type: 'text', personal: true });
  const purpose = await activePurpose(admin);
  const contact = await admin.post('/api/v1/contacts', {
    firstName: NAME.first,
    lastName: NAME.last,
    emails: [EMAIL],
    phones: [PHONE],
    jobTitle: 'Chief Quarry Officer',
    country: 'DE',
    region: 'BE',
    custom: { nickname: NICKNAME },
  });
  assert.equal(contact.status, 201, JSON.stringify(contact.body));
  const lead = await admin.post('/api/v1/leads', {
    firstName: NAME.first,
    lastName: NAME.last,
    email: EMAIL,
    phone: PHONE,
    jobTitle: 'Quarry lead',
    companyName: 'Quarry Co',
    country: 'DE',
    region: 'BE',
    custom: { hobby: 'Climbing' },
  });
  assert.equal(lead.status, 201, JSON.stringify(lead.body));
  assert.equal(
    (await admin.post('/api/v1/tasks', { title: `Call ${NAME.first} back`, record: { type: 'contact', id: contact.body.id } })).status,
    201,
  );
  assert.equal(
    (await admin.post('/api/v1/notes', { body: `${NAME.first} likes granite`, record: { type: 'contact', id: contact.body.id } })).status,
    201,
  );
  // The person's own consent on a form (with their IP and browser), then one recorded by staff,
  // then a second submission to the same address: a confirmation email is sent and kept.
  const form = await liveForm(admin, purpose.id);
  assert.equal((await visitor(env).post(publicPath(form), { fields: { email: EMAIL }, consents: [purpose.id] })).status, 202);
  await giveConsent(admin, contact.body.id, purpose.id);
  assert.equal((await visitor(env).post(publicPath(form), { fields: { email: EMAIL }, consents: [] })).status, 202);
  // A customer relationship recorded for the soft opt-in.
  assert.equal((await admin.put(`/api/v1/contacts/${contact.body.id}/soft-opt-in`, SOFT_OPT_IN)).status, 200);
  const { templateId, segmentId } = await templateAndSegment(admin);
  const campaign = (await admin.post('/api/v1/campaigns', { name: 'News', purposeId: purpose.id, segmentId, templateId })).body;
  await admin.post(`/api/v1/campaigns/${campaign.id}/send`);
  await env.app.jobs.drain();
  assert.equal((await visitor(env).post(`/privacy/${admin.info.workspace.slug}/link`, { email: EMAIL })).status, 200);
  assert.equal(
    (await admin.put(`/api/v1/contacts/${contact.body.id}/restriction`, { reason: 'Asked us to pause while the data is checked' })).status,
    200,
  );
  // An earlier request, extended and then refused, with reasons staff wrote to the person.
  const earlier = (await admin.post('/api/v1/dsr-requests', { type: 'rectification', channel: 'email', email: EMAIL })).body;
  assert.equal(
    (await admin.post(`/api/v1/dsr-requests/${earlier.id}/extend`, { reason: `${NAME.first} sent forty correction letters` })).status,
    200,
  );
  assert.equal(
    (
      await admin.patch(`/api/v1/dsr-requests/${earlier.id}`, {
        status: 'rejected',
        rejectionReason: 'The stored job title is the one the person gave us',
      })
    ).status,
    200,
  );
  return { contactId: contact.body.id as string, leadId: lead.body.id as string, purpose };
}

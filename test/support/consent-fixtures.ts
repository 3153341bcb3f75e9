import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Client, type TestEnv } from './helpers.ts';

export const CONSENT_TEXT = 'Yes, send me the monthly newsletter. I can unsubscribe at any time.';

/** An active purpose based on consent (direct marketing unless told otherwise). */
export async function activePurpose(admin: Client, overrides: Record<string, unknown> = {}): Promise<any> {
  const created = await admin.post('/api/v1/purposes', {
    key: `p-${crypto.randomBytes(4).toString('hex')}`,
    name: 'Newsletter',
    legalBasis: 'consent',
    directMarketing: true,
    ...overrides,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const activated = await admin.patch(`/api/v1/purposes/${created.body.id}`, { status: 'active' });
  assert.equal(activated.status, 200, JSON.stringify(activated.body));
  return activated.body;
}

/** A live form asking for one consent. */
export async function liveForm(admin: Client, purposeId: string, overrides: Record<string, unknown> = {}): Promise<any> {
  const created = await admin.post('/api/v1/forms', {
    name: 'Newsletter sign-up',
    title: 'Subscribe to our newsletter',
    fields: [
      { key: 'email', label: 'Email', required: true },
      { key: 'firstName', label: 'First name', required: false },
    ],
    consents: [{ purposeId, text: CONSENT_TEXT }],
    policyVersion: '2026-01',
    policyUrl: 'https://example.org/privacy',
    ...overrides,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const live = await admin.patch(`/api/v1/forms/${created.body.id}`, { status: 'live' });
  assert.equal(live.status, 200, JSON.stringify(live.body));
  return live.body;
}

export function publicPath(form: { publicUrl: string }): string {
  return new URL(form.publicUrl).pathname;
}

/** A visitor of the public pages: no session, its own address. */
export function visitor(env: TestEnv, ip = `198.51.100.${1 + Math.floor(Math.random() * 250)}`): Client {
  return new Client(env.server, ip);
}

export async function contactWith(admin: Client, email: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await admin.post('/api/v1/contacts', { firstName: 'Test', emails: [email], ...extra });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.id;
}

export async function giveConsent(admin: Client, contactId: string, purposeId: string): Promise<void> {
  const response = await admin.post(`/api/v1/contacts/${contactId}/consents`, {
    purposeId,
    kind: 'given',
    method: 'verbal',
    text: CONSENT_TEXT,
    source: 'phone call',
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
}

/** The link in the last email sent to an address. */
export function linkIn(text: string, prefix: string): string {
  const match = text.match(new RegExp(`https?://[^\\s]*${prefix}[^\\s]+`));
  assert.ok(match, `no ${prefix} link in: ${text}`);
  return new URL(match[0]).pathname;
}

export const SENDER = {
  senderName: 'Acme Widgets Ltd',
  senderEmail: 'news@acme.example',
  postalAddress: '1 Market Street, 75001 Paris, France',
};

/** The facts of a soft opt-in (ePrivacy Art. 13(2)): a sale, its evidence, the refusal offered at collection. */
export const SOFT_OPT_IN = {
  relationship: 'sale',
  evidence: 'Invoice 2026-0117',
  products: 'Annual widget maintenance plan',
  optOutOffered: 'Unticked "no marketing e-mail" box on the order form',
  obtainedAt: '2026-10-01T09:00:00Z',
};

/** The workspace's sender identity, which campaigns need before a first send. */
export async function setSender(admin: Client): Promise<void> {
  const response = await admin.patch('/api/v1/workspace', SENDER);
  assert.equal(response.status, 200, JSON.stringify(response.body));
}

/** A balancing test that passes the content checks, by the given reviewer. */
export function balancingTest(reviewerId: string, outcome: 'passed' | 'failed' = 'passed') {
  return {
    interest: 'Keeping existing business customers informed about products that complement what they bought from us.',
    necessity: 'E-mail is the channel customers gave us for the relationship; there is no less intrusive way to reach them.',
    impact: 'Low: business contacts expect offers related to their purchases, and every message lets them refuse in one click.',
    safeguards: 'One-click unsubscribe in every message, objections honoured at once, no profiling, data reviewed after 24 months.',
    outcome,
    reviewerId,
    reviewedOn: '2026-11-01',
  };
}

/** Template, segment and the workspace's sender identity: what a campaign needs. */
export async function templateAndSegment(admin: Client, object: 'contact' | 'lead' = 'contact', filter: Record<string, unknown> = {}) {
  await setSender(admin);
  const template = await admin.post('/api/v1/email-templates', {
    name: 'Monthly',
    subject: 'News for {{firstName}}',
    body: 'Hello {{firstName}},\nhere is the news.',
  });
  assert.equal(template.status, 201, JSON.stringify(template.body));
  const segment = await admin.post('/api/v1/segments', { name: 'Everyone', object, filter });
  assert.equal(segment.status, 201, JSON.stringify(segment.body));
  return { templateId: template.body.id as string, segmentId: segment.body.id as string };
}

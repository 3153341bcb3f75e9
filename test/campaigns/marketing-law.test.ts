import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { evaluateGate } from '../../src/consent/gate.ts';
import { withTenant } from '../../src/db/tenant.ts';
import {
  activePurpose,
  balancingTest,
  contactWith,
  giveConsent,
  liveForm,
  publicPath,
  setSender,
  SOFT_OPT_IN,
  visitor,
} from '../support/consent-fixtures.ts';
import { addMember, describeEachDatabase, signUp, type Client, type TestEnv } from '../support/helpers.ts';

/**
 * Who a campaign reaches, over the jurisdiction profiles × the purpose's legal basis and flags ×
 * the person's state. The expectations are written from the law, not from the code:
 * - ePrivacy Directive 2002/58/EC Art. 13(1) and PECR reg. 22(2): "the use of … electronic mail
 *   for the purposes of direct marketing may only be allowed in respect of subscribers or users
 *   who have given their prior consent", whatever legal basis a purpose names;
 * - Art. 13(2) / reg. 22(3), the soft opt-in: contact details "obtained from its customers in the
 *   context of the sale of a product or a service" may be used "for direct marketing of its own
 *   similar products or services" if customers are offered to object at collection and on each
 *   message. LGPD has no such rule (the profile declares consent for marketing);
 * - CAN-SPAM, 15 U.S.C. 7704(a)(3)-(4): commercial e-mail is lawful until the recipient opts out;
 * - GDPR Art. 21(3): "Where the data subject objects to processing for direct marketing
 *   purposes, the personal data shall no longer be processed for such purposes" (every purpose);
 * - Art. 7(3) withdrawal, Art. 18 restriction, and the suppression list (an unsubscribe, bounce or
 *   complaint) stop marketing mail under every law; a double opt-in not yet confirmed is no
 *   consent, and the workspace promised the person nothing would be sent before they confirm;
 * - an unticked box is not consent (CJEU C-673/17 Planet49, GDPR Recital 32).
 */

const STATES = ['never', 'pending', 'unticked', 'granted', 'withdrawn', 'objected', 'suppressed', 'softOptIn'] as const;
type State = (typeof STATES)[number];
const PURPOSES = ['consentNews', 'customerOffers', 'prospecting', 'professionalNews'] as const;
type PurposeName = (typeof PURPOSES)[number];
const REACH = 'reached';

const OPT_IN: Record<State, Record<PurposeName, string>> = {
  //           consent + DM        LI + DM, soft opt-in   LI + DM             LI + DM, about profession
  never: {
    consentNews: 'no_consent',
    customerOffers: 'opt_in_required',
    prospecting: 'opt_in_required',
    professionalNews: 'opt_in_required',
  },
  pending: {
    consentNews: 'consent_pending',
    customerOffers: 'opt_in_required',
    prospecting: 'opt_in_required',
    professionalNews: 'opt_in_required',
  },
  unticked: {
    consentNews: 'consent_declined',
    customerOffers: 'opt_in_required',
    prospecting: 'opt_in_required',
    professionalNews: 'opt_in_required',
  },
  granted: { consentNews: REACH, customerOffers: 'opt_in_required', prospecting: 'opt_in_required', professionalNews: 'opt_in_required' },
  withdrawn: {
    consentNews: 'consent_withdrawn',
    customerOffers: 'opt_in_required',
    prospecting: 'opt_in_required',
    professionalNews: 'opt_in_required',
  },
  objected: { consentNews: 'objected', customerOffers: 'objected', prospecting: 'objected', professionalNews: 'objected' },
  suppressed: { consentNews: 'suppressed', customerOffers: 'suppressed', prospecting: 'suppressed', professionalNews: 'suppressed' },
  softOptIn: { consentNews: 'no_consent', customerOffers: REACH, prospecting: 'opt_in_required', professionalNews: 'opt_in_required' },
};

const OPT_OUT: Record<State, Record<PurposeName, string>> = {
  never: { consentNews: REACH, customerOffers: REACH, prospecting: REACH, professionalNews: REACH },
  pending: { consentNews: 'consent_pending', customerOffers: REACH, prospecting: REACH, professionalNews: REACH },
  unticked: { consentNews: 'consent_declined', customerOffers: REACH, prospecting: REACH, professionalNews: REACH },
  granted: { consentNews: REACH, customerOffers: REACH, prospecting: REACH, professionalNews: REACH },
  withdrawn: { consentNews: 'consent_withdrawn', customerOffers: REACH, prospecting: REACH, professionalNews: REACH },
  objected: { consentNews: 'objected', customerOffers: 'objected', prospecting: 'objected', professionalNews: 'objected' },
  suppressed: { consentNews: 'suppressed', customerOffers: 'suppressed', prospecting: 'suppressed', professionalNews: 'suppressed' },
  softOptIn: { consentNews: REACH, customerOffers: REACH, prospecting: REACH, professionalNews: REACH },
};

/** Where people live, and what their law makes of each cell. */
const PLACES = [
  { code: 'de', place: { country: 'DE' }, expect: OPT_IN },
  { code: 'gb', place: { country: 'GB' }, expect: OPT_IN },
  // LGPD: no soft opt-in; marketing rests on consent.
  { code: 'br', place: { country: 'BR' }, expect: { ...OPT_IN, softOptIn: { ...OPT_IN.softOptIn, customerOffers: 'opt_in_required' } } },
  { code: 'ca', place: { country: 'US', region: 'CA' }, expect: OPT_OUT },
] as const;

async function legitimateInterestPurpose(admin: Client, name: string, flags: Record<string, unknown>): Promise<any> {
  const created = await admin.post('/api/v1/purposes', {
    key: `li-${name.toLowerCase().replace(/\W+/g, '-')}`,
    name,
    legalBasis: 'legitimate_interest',
    directMarketing: true,
    ...flags,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal((await admin.post(`/api/v1/purposes/${created.body.id}/balancing-tests`, balancingTest(admin.info.member.id))).status, 201);
  const activated = await admin.patch(`/api/v1/purposes/${created.body.id}`, { status: 'active' });
  assert.equal(activated.status, 200, JSON.stringify(activated.body));
  return activated.body;
}

/** Everyone a campaign for this purpose would leave out, with the reason (all pages). */
async function exclusions(admin: Client, campaignId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page: any = (await admin.get(`/api/v1/campaigns/${campaignId}/exclusions?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).body;
    for (const item of page.items) out.set(item.person.id, item.reason);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function person(
  env: TestEnv,
  admin: Client,
  state: State,
  email: string,
  place: Record<string, string>,
  purposes: Record<PurposeName, any>,
  form: any,
): Promise<string> {
  let id: string;
  if (state === 'pending' || state === 'unticked') {
    const submitted = await visitor(env).post(publicPath(form), {
      fields: { email },
      consents: state === 'pending' ? [purposes.consentNews.id] : [],
      website: '',
    });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    id = (await admin.get(`/api/v1/contacts?q=${encodeURIComponent(email)}`)).body.items[0].id;
    assert.equal((await admin.patch(`/api/v1/contacts/${id}`, place)).status, 200);
  } else {
    id = await contactWith(admin, email, place);
  }
  if (state === 'granted' || state === 'withdrawn' || state === 'suppressed') await giveConsent(admin, id, purposes.consentNews.id);
  if (state === 'withdrawn')
    assert.equal(
      (await admin.post(`/api/v1/contacts/${id}/consents`, { purposeId: purposes.consentNews.id, kind: 'withdrawn', source: 'phone call' }))
        .status,
      201,
    );
  if (state === 'objected')
    assert.equal(
      (
        await admin.post(`/api/v1/contacts/${id}/consents`, {
          purposeId: purposes.prospecting.id,
          kind: 'objected',
          source: 'reply to an e-mail',
        })
      ).status,
      201,
    );
  if (state === 'suppressed') assert.equal((await admin.post('/api/v1/suppressions', { email })).status, 201);
  if (state === 'softOptIn') assert.equal((await admin.put(`/api/v1/contacts/${id}/soft-opt-in`, SOFT_OPT_IN)).status, 200);
  return id;
}

describeEachDatabase('marketing law enforced by the gate', (env) => {
  let admin: Client;
  let purposes: Record<PurposeName, any>;
  let segmentId: string;
  let templateId: string;
  const people = new Map<string, { code: string; state: State; expect: Record<State, Record<PurposeName, string>> }>();

  before(async () => {
    admin = await signUp(env());
    await setSender(admin);
    purposes = {
      consentNews: await activePurpose(admin, { name: 'Newsletter' }),
      customerOffers: await legitimateInterestPurpose(admin, 'Offers for customers', { softOptIn: true }),
      prospecting: await legitimateInterestPurpose(admin, 'Prospecting', {}),
      professionalNews: await legitimateInterestPurpose(admin, 'News for your profession', { aboutRecipientsProfession: true }),
    };
    const form = await liveForm(admin, purposes.consentNews.id, { creates: 'contact', doubleOptIn: true });
    for (const { code, place, expect } of PLACES) {
      for (const state of STATES) {
        const id = await person(env(), admin, state, `${state.toLowerCase()}-${code}@table.example`, place, purposes, form);
        people.set(id, { code, state, expect });
      }
    }
    templateId = (await admin.post('/api/v1/email-templates', { name: 'T', subject: 'Hello {{firstName}}', body: 'Hello {{firstName}}' }))
      .body.id;
    segmentId = (await admin.post('/api/v1/segments', { name: 'Table', object: 'contact', filter: {} })).body.id;
  });

  it('reaches exactly whom each law allows, over profiles × basis × person state × purpose flags', async () => {
    const mismatches: string[] = [];
    for (const name of PURPOSES) {
      const campaign = await admin.post('/api/v1/campaigns', { name, purposeId: purposes[name].id, segmentId, templateId });
      assert.equal(campaign.status, 201, JSON.stringify(campaign.body));
      const excluded = await exclusions(admin, campaign.body.id);
      const preview = (await admin.get(`/api/v1/campaigns/${campaign.body.id}/preview`)).body;
      assert.equal(preview.recipients + excluded.size, people.size, 'the exclusions list names everyone the preview counts');
      for (const [id, { code, state, expect }] of people) {
        const actual = excluded.get(id) ?? REACH;
        if (actual !== expect[state][name]) mismatches.push(`${name} × ${code} × ${state}: expected ${expect[state][name]}, got ${actual}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('shows the basis each reachable person rests on, with the soft opt-in facts', async () => {
    const de = [...people].find(([, p]) => p.code === 'de' && p.state === 'softOptIn')![0];
    const consents = (await admin.get(`/api/v1/contacts/${de}/consents`)).body;
    const offers = consents.states.find((s: any) => s.purposeId === purposes.customerOffers.id);
    assert.deepEqual([offers.canProcess, offers.basis], [true, 'soft_opt_in']);
    assert.equal(consents.softOptIn.relationship, 'sale');
    assert.equal(consents.softOptIn.products, SOFT_OPT_IN.products);
    assert.equal(consents.softOptIn.recordedBy, admin.info.member.id);
    const ca = [...people].find(([, p]) => p.code === 'ca' && p.state === 'never')![0];
    const news = (await admin.get(`/api/v1/contacts/${ca}/consents`)).body.states.find((s: any) => s.purposeId === purposes.consentNews.id);
    assert.deepEqual([news.canProcess, news.basis], [true, 'opt_out_regime']);
    // The soft opt-in needs evidence, and a sale needs a won deal the contact is party to.
    const bare = await admin.put(`/api/v1/contacts/${de}/soft-opt-in`, { ...SOFT_OPT_IN, evidence: null });
    assert.equal(bare.status, 400);
    const account = (await admin.post('/api/v1/accounts', { name: 'Deal Co' })).body;
    const deal = (await admin.post('/api/v1/opportunities', { name: 'Open deal', accountId: account.id, contactIds: [de] })).body;
    const notWon = await admin.put(`/api/v1/contacts/${de}/soft-opt-in`, { ...SOFT_OPT_IN, evidence: null, opportunityId: deal.id });
    assert.equal(notWon.status, 422);
    assert.match(notWon.body.message, /not won/);
    const negotiation = await admin.put(`/api/v1/contacts/${de}/soft-opt-in`, {
      ...SOFT_OPT_IN,
      relationship: 'negotiation',
      evidence: null,
      opportunityId: deal.id,
    });
    assert.equal(negotiation.status, 200, JSON.stringify(negotiation.body));
  });

  it('lets a B2B exception reach business contacts in its own country only, once the workspace enables it', async () => {
    const account = (await admin.post('/api/v1/accounts', { name: 'Atelier Dupont', country: 'FR' })).body;
    const business = await contactWith(admin, 'claire@atelier.example', { country: 'FR', accountId: account.id });
    const private_ = await contactWith(admin, 'claire@perso.example', { country: 'FR' });
    const german = await contactWith(admin, 'jonas@betrieb.example', { country: 'DE', accountId: account.id });
    const verdict = async (id: string, purpose: any) =>
      (await admin.get(`/api/v1/contacts/${id}/consents`)).body.states.find((s: any) => s.purposeId === purpose.id);
    assert.equal((await verdict(business, purposes.professionalNews)).refusal, 'opt_in_required', 'off by default');
    const jurisdictions = (await admin.get('/api/v1/jurisdictions')).body.items;
    const exception = jurisdictions.find((j: any) => j.key === 'gdpr').marketing.exceptions[0];
    assert.equal(exception.key, 'fr_b2b_professional');
    assert.match(exception.reference, /L\.34-5/);
    assert.equal(
      (await admin.patch('/api/v1/workspace', { marketingExceptions: ['fr_b2b_professional'] })).body.marketingExceptions[0],
      'fr_b2b_professional',
    );
    try {
      const allowed = await verdict(business, purposes.professionalNews);
      assert.deepEqual([allowed.canProcess, allowed.basis, allowed.exception], [true, 'b2b_exception', 'fr_b2b_professional']);
      assert.equal((await verdict(private_, purposes.professionalNews)).refusal, 'opt_in_required', 'not reached at work');
      assert.equal((await verdict(german, purposes.professionalNews)).refusal, 'opt_in_required', 'a French rule');
      assert.equal((await verdict(business, purposes.prospecting)).refusal, 'opt_in_required', 'only for messages about the profession');
    } finally {
      await admin.patch('/api/v1/workspace', { marketingExceptions: [] });
    }
  });

  it('sends campaigns for direct-marketing purposes only; an objection or suppression stops all of them but not a contract', async () => {
    const followUp = await legitimateInterestPurpose(admin, 'Sales follow-up', { directMarketing: false });
    const labelled = await admin.post('/api/v1/campaigns', { name: 'Disguised', purposeId: followUp.id, segmentId, templateId });
    assert.equal(labelled.status, 422);
    assert.equal(labelled.body.error, 'not_direct_marketing');
    const draft = (
      await admin.post('/api/v1/campaigns', { name: 'Relabelled later', purposeId: purposes.prospecting.id, segmentId, templateId })
    ).body;
    const relabel = await admin.patch(`/api/v1/purposes/${purposes.prospecting.id}`, { directMarketing: false });
    assert.equal(relabel.status, 200);
    try {
      const send = await admin.post(`/api/v1/campaigns/${draft.id}/send`);
      assert.equal(send.status, 422);
      assert.equal(send.body.error, 'not_direct_marketing');
    } finally {
      await admin.patch(`/api/v1/purposes/${purposes.prospecting.id}`, { directMarketing: true });
    }
    const contract = await activePurpose(admin, { name: 'Order updates', legalBasis: 'contract', directMarketing: false });
    const objected = [...people].find(([, p]) => p.code === 'de' && p.state === 'objected')![0];
    const suppressed = [...people].find(([, p]) => p.code === 'de' && p.state === 'suppressed')![0];
    const verdicts = await withTenant(env().db, admin.info.workspace.id, (tx) =>
      evaluateGate(
        tx,
        admin.info.workspace.id,
        contract,
        [
          { type: 'contact', id: objected },
          { type: 'contact', id: suppressed },
        ],
        { path: 'connector_push' },
      ),
    );
    assert.deepEqual(
      [...verdicts.values()],
      [
        { allowed: true, basis: 'legal_basis' },
        { allowed: true, basis: 'legal_basis' },
      ],
    );
  });

  it("needs the person's consent to sell or share where their law requires it, and only their opt-out where it does not", async () => {
    const partners = await legitimateInterestPurpose(admin, 'Partner sharing', { directMarketing: false, sellsOrShares: true });
    const de = await contactWith(admin, 'share-de@table.example', { country: 'DE' });
    const ca = await contactWith(admin, 'share-ca@table.example', { country: 'US', region: 'CA' });
    const tenantId = admin.info.workspace.id;
    const verdicts = await withTenant(env().db, tenantId, (tx) =>
      evaluateGate(
        tx,
        tenantId,
        partners,
        [
          { type: 'contact', id: de },
          { type: 'contact', id: ca },
        ],
        { path: 'connector_push', sellsOrShares: true },
      ),
    );
    // GDPR Art. 6(1)(a), 7 (EDPB Guidelines 05/2020 §65); Cal. Civ. Code 1798.120.
    assert.deepEqual(verdicts.get(de), { allowed: false, reason: 'sale_needs_consent' });
    assert.deepEqual(verdicts.get(ca), { allowed: true, basis: 'legal_basis' });
  });

  it('checks balancing tests: written out, reviewed already, by someone who may decide on purposes', async () => {
    const purpose = (await admin.post('/api/v1/purposes', { key: 'lia-checks', name: 'LIA checks', legalBasis: 'legitimate_interest' }))
      .body;
    const test = balancingTest(admin.info.member.id);
    const post = (body: Record<string, unknown>) => admin.post(`/api/v1/purposes/${purpose.id}/balancing-tests`, { ...test, ...body });
    const trivial = await post({ interest: 'n/a', necessity: 'yes', impact: 'Low', safeguards: 'Opt-out' });
    assert.equal(trivial.status, 400);
    assert.deepEqual([...new Set(trivial.body.details.issues.map((issue: any) => issue.path))].sort(), [
      'impact',
      'interest',
      'necessity',
      'safeguards',
    ]);
    assert.match(JSON.stringify(trivial.body.details.issues), /placeholder/);
    const copied = await post({ necessity: test.interest });
    assert.equal(copied.status, 400, 'each part answers its own question');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const future = await post({ reviewedOn: tomorrow });
    assert.equal(future.status, 400);
    assert.match(future.body.message, /future/);
    const salesperson = (await addMember(env(), admin, 'salesperson')).info.member.id;
    const notEntitled = await post({ reviewerId: salesperson });
    assert.equal(notEntitled.status, 422);
    assert.match(notEntitled.body.message, /allowed to manage purposes/);
    assert.equal((await post({})).status, 201);
  });
});

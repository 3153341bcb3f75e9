import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { createSegment } from '../campaigns/segments.ts';
import { createTemplate } from '../campaigns/templates.ts';
import { createForm, updateForm } from '../forms/service.ts';
import { assessLegitimateInterest, createPurpose, updatePurpose } from '../consent/purposes.ts';
import { recordConsentsInBulk } from '../consent/service.ts';
import { withTenant } from '../db/tenant.ts';
import { updateWorkspace } from '../workspace/service.ts';

const NEWSLETTER_TEXT = 'Yes, send me the Demo Company newsletter about once a month. I can unsubscribe at any time.';

/** Purposes with their legal bases, a live sign-up form, a template, a segment, and consents for part of the contacts. */
export async function seedPrivacyData(app: AppContext, caller: Caller): Promise<Record<string, number>> {
  const newsletter = await createPurpose(app, caller, {
    key: 'newsletter',
    name: 'Newsletter',
    description: 'Monthly product news by email',
    legalBasis: 'consent',
    directMarketing: true,
    sellsOrShares: false,
    softOptIn: false,
    aboutRecipientsProfession: false,
    cookieCategory: null,
    retention: 'Until consent is withdrawn; consent renewed every 24 months',
    recipients: ['Marketing team', 'Email delivery provider'],
    consentValidDays: 730,
  });
  const followUp = await createPurpose(app, caller, {
    key: 'sales-follow-up',
    name: 'Sales follow-up',
    description: 'Following up on enquiries and meetings with business contacts',
    legalBasis: 'legitimate_interest',
    directMarketing: false,
    sellsOrShares: false,
    softOptIn: false,
    aboutRecipientsProfession: false,
    cookieCategory: null,
    retention: '24 months after the last interaction',
    recipients: ['Sales team'],
    consentValidDays: null,
  });
  await assessLegitimateInterest(app, caller, followUp.id, {
    interest: 'Developing business relationships with companies that showed interest',
    necessity: 'Contacting the person who enquired is the only way to answer the enquiry',
    impact: 'Low: business contact details, used as the person expects after an enquiry',
    safeguards: 'Objection honoured at once; data reviewed after 24 months without interaction',
    outcome: 'passed',
    reviewerId: caller.auth.memberId,
    reviewedOn: new Date().toISOString().slice(0, 10),
  });
  const analytics = await createPurpose(app, caller, {
    key: 'analytics',
    name: 'Analytics cookies',
    description: 'Measuring visits to the website',
    legalBasis: 'consent',
    directMarketing: false,
    sellsOrShares: false,
    softOptIn: false,
    aboutRecipientsProfession: false,
    cookieCategory: 'analytics',
    retention: '13 months',
    recipients: [],
    consentValidDays: 395,
  });
  for (const purpose of [newsletter, followUp, analytics]) await updatePurpose(app, caller, purpose.id, { status: 'active' });

  const form = await createForm(app, caller, {
    name: 'Newsletter sign-up',
    creates: 'lead',
    doubleOptIn: true,
    confirmWithinDays: 7,
    title: 'Get the Demo Company newsletter',
    intro: 'News about our products, about once a month.',
    fields: [
      { key: 'firstName', label: 'First name', required: false },
      { key: 'company', label: 'Company', required: false },
    ],
    consents: [{ purposeId: newsletter.id, text: NEWSLETTER_TEXT }],
    policyVersion: '2026-01',
    policyUrl: `${app.config.publicUrl}/privacy/demo`,
    successMessage: 'Thank you! Please confirm from the email we just sent you.',
  });
  await updateForm(app, caller, form.id, { status: 'live' });
  await createTemplate(app, caller, {
    name: 'Monthly newsletter',
    subject: 'What is new this month, {{firstName}}',
    body: 'Hello {{firstName}},\n\nhere is what is new at Demo Company this month.\n\nThe Demo Company team',
  });
  await createSegment(app, caller, { name: 'All contacts', object: 'contact', filter: {} });
  // Campaigns go out under the workspace's own name and postal address.
  await updateWorkspace(app, caller, {
    senderName: 'Demo Company',
    senderEmail: 'news@demo-company.example',
    postalAddress: 'Demo Company, 1 Example Street, 10115 Berlin, Germany',
  });

  // Four in ten contacts subscribed to the newsletter when the list was imported.
  const contacts = await withTenant(app.db, caller.auth.tenantId, (tx) =>
    tx.selectFrom('contacts').select('id').orderBy('created_at').orderBy('id').execute(),
  );
  const subscribed = contacts.filter((_contact, index) => index % 5 < 2);
  for (let i = 0; i < subscribed.length; i += 1000) {
    await recordConsentsInBulk(app, caller, {
      items: subscribed.slice(i, i + 1000).map((contact) => ({
        personType: 'contact' as const,
        personId: contact.id,
        purposeId: newsletter.id,
        kind: 'given' as const,
        method: 'import' as const,
        source: 'newsletter list migrated from the previous CRM',
        text: NEWSLETTER_TEXT,
        policyVersion: '2025-06',
      })),
    });
  }
  return { purposes: 3, forms: 1, consents: subscribed.length };
}

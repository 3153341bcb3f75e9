import { z } from 'zod';
import { isoDate, isoDateTime } from '../shared/fields.ts';
import { marketingExceptionKey, resolvedJurisdictionView } from '../jurisdiction/schema.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const key = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be lower-case letters, digits, - or _, starting with a letter (max 40)');

export const LEGAL_BASES = ['consent', 'contract', 'legitimate_interest', 'legal_obligation'] as const;
export const PURPOSE_STATUSES = ['draft', 'active', 'retired'] as const;
export const PERSON_TYPES = ['contact', 'lead'] as const;
export const CONSENT_KINDS = [
  'given',
  'confirmed',
  'withdrawn',
  'expired',
  'repermission_requested',
  'objected',
  'sale_sharing_opted_out',
  'sale_sharing_opted_in',
] as const;
export const CONSENT_METHODS = ['form', 'import', 'api', 'portal', 'verbal', 'email_link', 'cookie_banner'] as const;
export const CONSENT_STATES = ['none', 'pending', 'granted', 'withdrawn', 'expired', 'objected'] as const;

const SOFT_OPT_IN =
  "Direct marketing on legitimate interest of the workspace's own products and services similar to those its customers bought or negotiated: reaches people with a recorded soft opt-in where their law has that rule (ePrivacy Art. 13(2), PECR reg. 22(3))";
const ABOUT_PROFESSION =
  "Direct marketing on legitimate interest whose messages concern the recipient's profession: reaches business contacts under a B2B exception the workspace enabled";

export const purposeInput = z.object({
  key,
  name: text(200),
  description: z.string().trim().max(5000).default(''),
  legalBasis: z.enum(LEGAL_BASES),
  directMarketing: z.boolean().default(false),
  sellsOrShares: z
    .boolean()
    .default(false)
    .describe('Personal information is sold or shared for this purpose (Cal. Civ. Code 1798.140): refused for people who opted out'),
  cookieCategory: key.nullable().default(null).describe('Shown in the cookie banner under this category'),
  retention: z.string().trim().max(1000).default('').describe('The retention period or rule this purpose follows'),
  recipients: z.array(text(200)).max(50).default([]),
  consentValidDays: z.number().int().min(1).max(3650).nullable().default(null).describe('Consent older than this must be renewed'),
  softOptIn: z.boolean().default(false).describe(SOFT_OPT_IN),
  aboutRecipientsProfession: z.boolean().default(false).describe(ABOUT_PROFESSION),
});

export const purposePatch = z.object({
  name: text(200).optional(),
  description: z.string().trim().max(5000).optional(),
  directMarketing: z.boolean().optional(),
  sellsOrShares: z.boolean().optional(),
  cookieCategory: key.nullable().optional(),
  retention: z.string().trim().max(1000).optional(),
  recipients: z.array(text(200)).max(50).optional(),
  consentValidDays: z.number().int().min(1).max(3650).nullable().optional(),
  softOptIn: z.boolean().optional().describe(SOFT_OPT_IN),
  aboutRecipientsProfession: z.boolean().optional().describe(ABOUT_PROFESSION),
  status: z.enum(PURPOSE_STATUSES).optional().describe('Activating a legitimate-interest purpose needs a passed balancing test'),
});

/** Words a form filler types to get past a required field; none of them assesses anything. */
const PLACEHOLDER =
  /^(n\/?a|none|nil|nothing|tbd|tbc|todo|test(ing)?|x+|-+|\.+|\?+|see above|same( as above)?|ok|yes|no|lorem ipsum\b.*)$/i;

/** One part of a balancing test: written out, not a placeholder (EDPB Guidelines 1/2024 on legitimate interest, §§ 11-13). */
const assessment = (part: string) =>
  z
    .string()
    .trim()
    .max(5000)
    .refine((value) => !PLACEHOLDER.test(value), `is a placeholder; describe the ${part}`)
    .refine((value) => value.length >= 40, `must describe the ${part} in at least 40 characters`)
    .refine(
      (value) => value.split(/\s+/).filter((word) => /\p{L}{2,}/u.test(word)).length >= 6,
      `must describe the ${part} in at least six words`,
    );

export const liaInput = z
  .object({
    interest: assessment('legitimate interest pursued'),
    necessity: assessment('necessity of the processing for that interest'),
    impact: assessment('impact on the people and their reasonable expectations'),
    safeguards: assessment('safeguards that reduce the impact'),
    outcome: z.enum(['passed', 'failed']),
    reviewerId: z.string().uuid().describe('The member who reviewed the assessment: an active member allowed to manage purposes'),
    reviewedOn: isoDate.refine(
      (value) => value <= new Date().toISOString().slice(0, 10),
      'is in the future: record a review once it has taken place',
    ),
  })
  .superRefine((input, ctx) => {
    const parts = [input.interest, input.necessity, input.impact, input.safeguards].map((part) => part.toLowerCase().replace(/\s+/g, ' '));
    if (new Set(parts).size < parts.length)
      ctx.addIssue({
        code: 'custom',
        path: ['necessity'],
        message: 'repeats another part of the assessment; each part answers its own question',
      });
  });

export const liaView = z.object({
  interest: z.string(),
  necessity: z.string(),
  impact: z.string(),
  safeguards: z.string(),
  outcome: z.enum(['passed', 'failed']),
  reviewerId: z.string().uuid(),
  reviewedOn: z.string(),
  id: z.string().uuid(),
  purposeId: z.string().uuid(),
  createdAt: z.string(),
});

export const purposeView = z.object({
  id: z.string().uuid(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  legalBasis: z.enum(LEGAL_BASES),
  status: z.enum(PURPOSE_STATUSES),
  directMarketing: z.boolean(),
  sellsOrShares: z.boolean(),
  cookieCategory: z.string().nullable(),
  retention: z.string(),
  recipients: z.array(z.string()),
  consentValidDays: z.number().nullable(),
  softOptIn: z.boolean(),
  aboutRecipientsProfession: z.boolean(),
  activatedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  balancingTest: liaView.nullable().describe('The assessment in force (legitimate interest only)'),
});

export const purposeListQuery = z.object({
  status: z.enum(PURPOSE_STATUSES).optional(),
  legalBasis: z.enum(LEGAL_BASES).optional(),
});

/** A consent event recorded by staff or an integration about one person. */
export const consentEventInput = z.object({
  purposeId: z.string().uuid(),
  kind: z.enum(['given', 'withdrawn', 'objected', 'repermission_requested']),
  method: z.enum(['api', 'verbal', 'import', 'portal', 'email_link']).default('api'),
  source: z.string().trim().max(500).nullable().default(null).describe('Where it happened: call, letter, page URL, file name'),
  text: z.string().trim().max(10000).nullable().default(null).describe('The exact wording the person agreed to (required for given)'),
  policyVersion: z.string().trim().max(100).nullable().default(null),
  occurredAt: isoDateTime.optional().describe('When it happened, if earlier than now (not in the future)'),
});

export const bulkConsentInput = z.object({
  items: z
    .array(consentEventInput.extend({ personType: z.enum(PERSON_TYPES), personId: z.string().uuid() }))
    .min(1)
    .max(1000),
});

export const consentEventView = z.object({
  id: z.string().uuid(),
  purposeId: z.string().uuid().nullable().describe('Null for the opt-out of (or back into) sale and sharing, which covers every purpose'),
  purposeKey: z.string().nullable(),
  kind: z.enum(CONSENT_KINDS),
  requiresConfirmation: z.boolean(),
  method: z.enum(CONSENT_METHODS),
  source: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  formId: z.string().nullable(),
  formVersion: z.number().nullable(),
  policyVersion: z.string().nullable(),
  textHash: z.string().nullable(),
  text: z.string().nullable(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  occurredAt: z.string(),
});

export const consentStateView = z.object({
  purposeId: z.string().uuid(),
  purposeKey: z.string(),
  purposeName: z.string(),
  legalBasis: z.enum(LEGAL_BASES),
  state: z.enum(CONSENT_STATES),
  since: z.string().nullable(),
  validUntil: z.string().nullable(),
  canProcess: z.boolean(),
  basis: z
    .enum(['consent', 'soft_opt_in', 'b2b_exception', 'opt_out_regime', 'legal_basis'])
    .nullable()
    .describe('What processing for this purpose rests on for this person, when the gate allows it'),
  exception: marketingExceptionKey.nullable().describe('The B2B exception relied on, when the basis is b2b_exception'),
  refusal: z.string().nullable().describe('Why the gate refuses processing for this purpose, when it does'),
});

export const softOptInInput = z
  .object({
    relationship: z.enum(['sale', 'negotiation']).describe('The address was obtained in the course of a sale, or of negotiations for one'),
    opportunityId: z.string().uuid().nullable().default(null).describe('The deal it came with (a won deal for a sale); contacts only'),
    evidence: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .nullable()
      .default(null)
      .describe('Order, invoice or quote reference, when there is no deal in the CRM'),
    products: z
      .string()
      .trim()
      .min(3)
      .max(1000)
      .describe('What was sold or negotiated: marketing may only be about similar products and services'),
    optOutOffered: z
      .string()
      .trim()
      .min(10)
      .max(500)
      .describe('How the person was offered to refuse marketing when the address was collected'),
    obtainedAt: isoDateTime.describe('When the address was obtained'),
  })
  .refine((input) => input.opportunityId !== null || input.evidence !== null, {
    message: 'give the deal (opportunityId) or a reference to the sale or quote (evidence)',
    path: ['evidence'],
  });

export const softOptInView = z.object({
  relationship: z.enum(['sale', 'negotiation']),
  opportunityId: z.string().uuid().nullable(),
  evidence: z.string().nullable(),
  products: z.string().nullable().describe("Null once the person's key is destroyed"),
  optOutOffered: z.string(),
  obtainedAt: z.string(),
  recordedBy: z.string(),
  recordedAt: z.string(),
});

export const personConsentsView = z.object({
  personType: z.enum(PERSON_TYPES),
  personId: z.string().uuid(),
  restricted: z.boolean(),
  suppressed: z.boolean(),
  jurisdiction: resolvedJurisdictionView,
  saleSharing: z
    .object({ optedOut: z.boolean(), method: z.enum(CONSENT_METHODS), source: z.string().nullable(), since: z.string() })
    .nullable()
    .describe("The person's choice about sale and sharing; null when never made"),
  softOptIn: softOptInView.nullable().describe('The soft opt-in facts recorded for the person (existing customer), if any'),
  states: z.array(consentStateView),
  history: z.array(consentEventView),
});

export const restrictionInput = z.object({ reason: text(1000) });

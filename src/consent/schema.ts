import { z } from 'zod';
import { isoDate, isoDateTime } from '../crm/schema.ts';
import { resolvedJurisdictionView } from '../jurisdiction/schema.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const key = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be lower-case letters, digits, - or _, starting with a letter (max 40)');

export const LEGAL_BASES = ['consent', 'contract', 'legitimate_interest', 'legal_obligation'] as const;
export const PURPOSE_STATUSES = ['draft', 'active', 'retired'] as const;
export const PERSON_TYPES = ['contact', 'lead'] as const;
export const CONSENT_KINDS = ['given', 'confirmed', 'withdrawn', 'expired', 'repermission_requested', 'objected', 'sale_sharing_opted_out', 'sale_sharing_opted_in'] as const;
export const CONSENT_METHODS = ['form', 'import', 'api', 'portal', 'verbal', 'email_link', 'cookie_banner'] as const;
export const CONSENT_STATES = ['none', 'pending', 'granted', 'withdrawn', 'expired', 'objected'] as const;

export const purposeInput = z.object({
  key,
  name: text(200),
  description: z.string().trim().max(5000).default(''),
  legalBasis: z.enum(LEGAL_BASES),
  directMarketing: z.boolean().default(false),
  sellsOrShares: z.boolean().default(false).describe('Personal information is sold or shared for this purpose (Cal. Civ. Code 1798.140): refused for people who opted out'),
  cookieCategory: key.nullable().default(null).describe('Shown in the cookie banner under this category'),
  retention: z.string().trim().max(1000).default('').describe('The retention period or rule this purpose follows'),
  recipients: z.array(text(200)).max(50).default([]),
  consentValidDays: z.number().int().min(1).max(3650).nullable().default(null).describe('Consent older than this must be renewed'),
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
  status: z.enum(PURPOSE_STATUSES).optional().describe('Activating a legitimate-interest purpose needs a passed balancing test'),
});

export const liaInput = z.object({
  interest: text(5000),
  necessity: text(5000),
  impact: text(5000),
  safeguards: text(5000),
  outcome: z.enum(['passed', 'failed']),
  reviewerId: z.string().uuid().describe('The member who reviewed the assessment'),
  reviewedOn: isoDate,
});

export const liaView = liaInput.extend({ id: z.string().uuid(), purposeId: z.string().uuid(), createdAt: z.string() });

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
  items: z.array(consentEventInput.extend({ personType: z.enum(PERSON_TYPES), personId: z.string().uuid() })).min(1).max(1000),
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
  refusal: z.string().nullable().describe('Why the gate refuses processing for this purpose, when it does'),
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
    .describe('The person\'s choice about sale and sharing; null when never made'),
  states: z.array(consentStateView),
  history: z.array(consentEventView),
});

export const restrictionInput = z.object({ reason: text(1000) });

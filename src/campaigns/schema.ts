import { z } from 'zod';
import { LEAD_STATUSES } from '../crm/schema.ts';
import { country, email, isoDateTime } from '../shared/fields.ts';
import { REFUSALS } from '../consent/gate.ts';
import { PERSON_TYPES } from '../consent/schema.ts';
import { pageQuery } from '../http/pagination.ts';

const text = (max: number) => z.string().trim().min(1).max(max);

/** A segment's filter: every condition given must hold. */
export const segmentFilter = z
  .object({
    ownerId: z.string().uuid().optional(),
    accountId: z.string().uuid().optional().describe('Contacts of this account'),
    country: country.optional(),
    createdAfter: isoDateTime.optional(),
    createdBefore: isoDateTime.optional(),
    leadStatus: z.enum(LEAD_STATUSES).optional().describe('Leads only'),
    sourceType: z.enum(['form', 'import', 'api', 'connector', 'manual', 'third_party']).optional(),
  })
  .strict();

export const segmentInput = z.object({ name: text(200), object: z.enum(PERSON_TYPES), filter: segmentFilter.default({}) });
export const segmentPatch = z.object({ name: text(200).optional(), filter: segmentFilter.optional() });
export const segmentView = z.object({
  id: z.string().uuid(),
  name: z.string(),
  object: z.enum(PERSON_TYPES),
  filter: segmentFilter,
  handPicked: z.boolean().describe('People picked by hand from a list (a bulk action), not a filter'),
  size: z.number().describe('People matching now (that you can see)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const PLACEHOLDERS =
  'Placeholders: {{firstName}}, {{lastName}}, {{email}}. The unsubscribe, preference-centre and privacy-portal links are added to every email.';
export const templateInput = z.object({ name: text(200), subject: text(300), body: text(100000).describe(PLACEHOLDERS) });
export const templatePatch = templateInput.partial();
export const templateView = templateInput.extend({ id: z.string().uuid(), createdAt: z.string(), updatedAt: z.string() });

export const campaignInput = z.object({
  name: text(200),
  purposeId: z.string().uuid(),
  segmentId: z.string().uuid(),
  templateId: z.string().uuid(),
});
export const repermissionInput = z.object({
  name: text(200),
  purposeId: z.string().uuid(),
  templateId: z.string().uuid(),
  inactiveMonths: z.number().int().min(1).max(120).describe('Consents granted longer ago than this, with nothing newer, are asked again'),
  confirmWithinDays: z.number().int().min(1).max(90).describe('Consents not reconfirmed within this many days expire'),
});

export const campaignView = z.object({
  id: z.string().uuid(),
  kind: z.enum(['campaign', 'repermission']),
  name: z.string(),
  purposeId: z.string().uuid(),
  segmentId: z.string().uuid().nullable(),
  templateId: z.string().uuid(),
  inactiveMonths: z.number().nullable(),
  confirmWithinDays: z.number().nullable(),
  status: z.enum(['draft', 'sending', 'sent', 'failed', 'stopped']),
  stoppedReason: z.string().nullable().describe('Why a send stopped before its end (the gate refused its purpose, or a member stopped it)'),
  recipients: z.number().describe('People the gate allowed'),
  sent: z.number(),
  failed: z.number(),
  excluded: z.record(z.string(), z.number()).describe('People the gate refused, by reason'),
  expired: z.number().describe('Re-permission: consents expired for want of confirmation'),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  confirmBy: z.string().nullable(),
});

export const exclusionQuery = pageQuery.extend({ reason: z.enum(REFUSALS).optional().describe('Only people left out for this reason') });
export const exclusionView = z.object({
  person: z.object({ type: z.enum(PERSON_TYPES), id: z.string().uuid(), name: z.string().nullable(), email: z.string().nullable() }),
  reason: z.string().describe("The gate's reason (see the preview's counts)"),
  refusedAt: z.string().nullable().describe('When the gate refused them; null in the preview of a draft'),
});

export const campaignPreview = z.object({ recipients: z.number(), excluded: z.record(z.string(), z.number()) });

export const suppressionInput = z.object({ email, detail: z.string().trim().max(500).nullable().default(null) });
export const emailEventInput = z.object({
  email,
  type: z.enum(['bounce', 'complaint']).describe('A hard bounce or a spam complaint reported by the mail provider'),
  detail: z.string().trim().max(500).nullable().default(null),
});
export const suppressionView = z.object({
  emailIndex: z.string(),
  reason: z
    .enum(['unsubscribed', 'bounced', 'complained', 'manual', 'erased'])
    .describe('erased: an address of a person erased at their request (marketing to it stays refused)'),
  detail: z.string().nullable(),
  person: z.object({ type: z.enum(PERSON_TYPES), id: z.string().uuid(), name: z.string().nullable() }).nullable(),
  createdAt: z.string(),
});

export const emailMessageView = z.object({
  id: z.string().uuid(),
  personId: z.string().uuid(),
  kind: z.enum(['campaign', 'confirmation', 'repermission', 'dsr', 'notice']),
  campaignId: z.string().uuid().nullable(),
  to: z.string().nullable(),
  subject: z.string().nullable(),
  text: z.string().nullable(),
  transport: z.enum(['smtp', 'outbox']),
  createdAt: z.string(),
  state: z
    .enum(['queued', 'sent', 'failed'])
    .describe(
      'queued: written with the change that promised it, waiting to be sent (retried with backoff); failed: given up, see lastError',
    ),
  sentAt: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable().describe('What the mail server answered, addresses removed'),
});

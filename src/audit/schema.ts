import { z } from 'zod';
import { isoDateTime } from '../shared/fields.ts';

export const auditEventView = z.object({
  seq: z.number().int(),
  occurredAt: z.string(),
  actorType: z.enum(['member', 'api_token', 'system', 'data_subject']),
  actorId: z.string().nullable(),
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  fields: z.array(z.string()),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  hash: z.string(),
});

/** What the audit trail can be narrowed to, for the list and the export alike. */
export const auditFilter = z.object({
  action: z.string().max(100).optional(),
  objectType: z.string().max(100).optional(),
  objectId: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  from: isoDateTime.optional().describe('Only events at or after this time'),
  to: isoDateTime.optional().describe('Only events before this time'),
});

export const auditListQuery = auditFilter.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional().describe('Only events with a smaller seq (older); use nextBefore'),
});

export const auditPage = z.object({ items: z.array(auditEventView), nextBefore: z.number().int().nullable() });

export const chainVerificationView = z.object({
  ok: z.boolean(),
  events: z.number().int(),
  brokenAt: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
  anchoredAt: z
    .object({ seq: z.number().int(), at: z.string() })
    .nullable()
    .describe('The signed chain head kept outside the database that the chain was compared with'),
});

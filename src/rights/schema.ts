import { z } from 'zod';
import { email, isoDateTime } from '../shared/fields.ts';
import { jurisdiction, marketingRuleView } from '../jurisdiction/schema.ts';

export const DSR_TYPES = [
  'access',
  'portability',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'opt_out_sale_sharing',
  'limit_sensitive',
] as const;
export const DSR_STATUSES = ['received', 'verifying', 'in_progress', 'completed', 'rejected'] as const;
export const DSR_CHANNELS = ['portal', 'email', 'phone', 'letter', 'in_person'] as const;
export const IDENTITY_STATUSES = ['unverified', 'verified', 'failed'] as const;

export const dsrInput = z.object({
  type: z.enum(DSR_TYPES),
  channel: z.enum(DSR_CHANNELS).exclude(['portal']),
  email: email.describe("The requester's address: how the person is found and answered"),
  name: z.string().trim().min(1).max(200).nullable().default(null),
  details: z.string().trim().max(10000).nullable().default(null).describe('What the person asked, in their words'),
  receivedAt: isoDateTime.optional().describe('When the request reached you (default now); the deadline runs from it'),
  identityStatus: z.enum(IDENTITY_STATUSES).default('unverified'),
  identityMethod: z.string().trim().max(200).nullable().default(null),
  assigneeId: z.string().uuid().nullable().default(null),
  jurisdiction: jurisdiction
    .optional()
    .describe('The law the request is made under; default: that of the records holding the address, else the workspace default'),
});

export const dsrPatch = z.object({
  status: z.enum(DSR_STATUSES).optional(),
  rejectionReason: z.string().trim().min(10).max(2000).optional().describe('Required when rejecting; sent to the person'),
  assigneeId: z.string().uuid().nullable().optional(),
  identityStatus: z.enum(IDENTITY_STATUSES).optional(),
  identityMethod: z.string().trim().max(200).nullable().optional(),
});

export const dsrListQuery = z.object({
  status: z
    .enum([...DSR_STATUSES, 'open'])
    .optional()
    .describe('open = not completed or rejected'),
  type: z.enum(DSR_TYPES).optional(),
  deadline: z.enum(['near_due', 'overdue']).optional(),
  assigneeId: z.string().uuid().optional(),
  sort: z.enum(['dueAt', '-dueAt', 'receivedAt', '-receivedAt']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const evidenceInput = z.object({ kind: z.enum(['found', 'done', 'sent', 'note']), summary: z.string().trim().min(1).max(10000) });
export const extensionInput = z.object({
  reason: z.string().trim().min(10).max(2000).describe('Why more time is needed; sent to the person'),
});

export const dsrView = z.object({
  id: z.string().uuid(),
  type: z.enum(DSR_TYPES),
  channel: z.enum(DSR_CHANNELS),
  requester: z.object({ email: z.string().nullable(), name: z.string().nullable() }),
  details: z.string().nullable(),
  identityStatus: z.enum(IDENTITY_STATUSES),
  identityMethod: z.string().nullable(),
  jurisdiction,
  receivedAt: z.string(),
  dueAt: z.string(),
  deadlineReference: z.string().describe('Where the law sets the deadline'),
  deadline: z.enum(['on_time', 'near_due', 'overdue', 'closed']),
  extendedAt: z.string().nullable(),
  extensionReason: z.string().nullable(),
  status: z.enum(DSR_STATUSES),
  rejectionReason: z.string().nullable(),
  deidentifiedAt: z
    .string()
    .nullable()
    .describe('When the closed request was reduced to its type, dates and outcome (retention rule "closed-requests")'),
  completedAt: z.string().nullable(),
  assigneeId: z.string().nullable(),
  people: z
    .array(z.object({ type: z.enum(['contact', 'lead']), id: z.string().uuid(), name: z.string().nullable() }))
    .describe('The records holding the address'),
  evidence: z.array(
    z.object({
      id: z.string().uuid(),
      kind: z.string(),
      summary: z.string().nullable(),
      actorType: z.string(),
      actorId: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
  recipients: z
    .array(
      z.object({
        integrationId: z.string().uuid(),
        label: z.string(),
        kind: z.string(),
        operation: z.enum(['erasure', 'rectification', 'objection']),
        object: z.string().describe("The vendor's object, or our record type while the operation is owed"),
        state: z.enum(['done', 'owed']),
        count: z.number(),
        permanent: z.boolean().nullable(),
        note: z.string().nullable().describe('What the recipient did with it, or why it is still owed'),
        at: z.string().nullable(),
      }),
    )
    .describe(
      'Art. 19 (and Art. 21(3)): each connected CRM the erasure, rectification or objection was carried to, with what it did (or that it is still owed)',
    ),
});

export const dsrSummary = z.object({
  open: z.number(),
  nearDue: z.number(),
  overdue: z.number(),
  byType: z.record(z.string(), z.number()),
});

/** The access report (Art. 15) and the report.json of the portability zip (Art. 20): a stable, documented schema. */
export const accessReportSchema = z
  .object({
    generatedAt: z.string(),
    controller: z.object({ name: z.string(), dpo: z.array(z.object({ name: z.string(), email: z.string() })) }),
    subject: z.object({ email: z.string(), records: z.array(z.object({ type: z.string(), id: z.string() })) }),
    data: z
      .array(
        z.object({
          object: z.string(),
          table: z.string(),
          column: z.string(),
          customField: z.string().optional(),
          category: z.string(),
          description: z.string(),
          values: z.array(z.object({ recordId: z.string(), value: z.unknown() })),
        }),
      )
      .describe('Every personal-data field of the data inventory, with the values held about the person'),
    provenance: z.array(
      z.object({
        type: z.string(),
        id: z.string(),
        sourceType: z.string(),
        sourceRef: z.string().nullable(),
        source: z.string().describe('Where the data came from, in words (Art. 14(2)(f)): the registered source or the connection by name'),
        collectedAt: z.string(),
      }),
    ),
    purposes: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        description: z.string(),
        legalBasis: z.string(),
        retention: z.string(),
        recipients: z.array(z.string()),
        state: z.string(),
        since: z.string().nullable(),
        validUntil: z.string().nullable(),
      }),
    ),
    consentHistory: z.array(z.record(z.string(), z.unknown())),
    recipients: z.array(z.string()),
    accessLog: z.array(
      z.object({
        at: z.string(),
        action: z.string(),
        actorType: z.string(),
        objectType: z.string().nullable(),
        objectId: z.string().nullable(),
      }),
    ),
    requests: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        status: z.string(),
        receivedAt: z.string(),
        dueAt: z.string(),
        recipientsInformed: z
          .array(
            z.object({
              recipient: z.string(),
              operation: z.enum(['erasure', 'rectification', 'objection']),
              state: z.enum(['done', 'owed']),
              at: z.string().nullable(),
            }),
          )
          .describe('Art. 19, second sentence: the recipients told of the erasure, rectification or objection, and when'),
      }),
    ),
    requestEmails: z
      .array(z.object({ requestId: z.string(), subject: z.string().nullable(), sentAt: z.string() }))
      .describe('E-mails sent to the person about their requests'),
    context: z
      .object({
        accounts: z.array(z.object({ contactId: z.string(), accountId: z.string(), name: z.string() })),
        opportunities: z.array(
          z.object({
            id: z.string(),
            contactId: z.string(),
            name: z.string(),
            amount: z.string().nullable(),
            currency: z.string(),
            stage: z.string(),
          }),
        ),
        leads: z.array(z.object({ id: z.string(), companyName: z.string().nullable(), status: z.string(), source: z.string().nullable() })),
        customFields: z.array(
          z.object({ recordType: z.string(), recordId: z.string(), key: z.string(), label: z.string(), value: z.unknown() }),
        ),
      })
      .describe('What the records say about the person beyond their personal fields: employer, deals, lead details, other custom fields'),
    disclosures: z
      .array(z.object({ recipient: z.string(), how: z.string(), record: z.object({ type: z.string(), id: z.string() }), at: z.string() }))
      .describe('Each recipient the data went to, and when'),
    jurisdiction: z
      .object({
        key: jurisdiction,
        name: z.string(),
        law: z.string(),
        source: z.enum(['override', 'residence', 'workspace_default']),
        authority: z.string(),
        responseDeadline: z.string().describe('e.g. "45 days, extendable once by 45 days (Cal. Civ. Code 1798.130(a)(2)(A))"'),
        verification: z.string(),
        marketing: marketingRuleView,
        saleSharing: z.object({
          regime: z.enum(['consent', 'opt_out']),
          reference: z.string(),
          optedOut: z.boolean(),
          since: z.string().nullable(),
        }),
      })
      .describe("The law governing the person's data, and why it applies"),
    rights: z
      .array(z.object({ right: z.string(), title: z.string(), article: z.string().describe('The legal reference'), text: z.string() }))
      .describe('Exactly the rights the person has under their jurisdiction'),
  })
  .describe('AccessReport');

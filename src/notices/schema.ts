import { z } from 'zod';
import { pageQuery } from '../http/pagination.ts';

/** Where a person's data came from, as provenance names it; a web form is the person themselves. */
export const INDIRECT_SOURCES = ['import', 'api', 'connector', 'manual', 'third_party'] as const;
export const EXEMPTIONS = ['already_informed', 'disproportionate_effort', 'legal_obligation'] as const;
export const NOTICE_STATES = ['due', 'overdue', 'sent', 'exempt'] as const;

export const noticeTemplateInput = z.object({
  subject: z.string().trim().min(1).max(200),
  body: z
    .string()
    .trim()
    .min(1)
    .max(20_000)
    .describe('The text, with {{placeholders}} the sender fills in; those of Art. 14(1)-(2) must all be there (GET gives the list)'),
  autoSend: z.boolean().optional().describe('Send notices as they come due (a job, every 10 minutes); true by default'),
});

export const noticeTemplateView = z.object({
  subject: z.string(),
  body: z.string(),
  autoSend: z.boolean(),
  builtIn: z.boolean().describe('The default notice: the workspace has not saved its own'),
  placeholders: z.array(z.object({ key: z.string(), required: z.boolean(), fills: z.string() })),
  updatedAt: z.string().nullable(),
});

export const noticeSourceInput = z
  .object({
    sourceType: z.enum(INDIRECT_SOURCES),
    sourceRef: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .nullable()
      .optional()
      .describe("One source (an import's file name, a connection's id, a provider); null or absent: every source of the type"),
    label: z.string().trim().min(1).max(200).describe('How the notice names the source'),
    publiclyAccessible: z.boolean().default(false).describe('Art. 14(2)(f): the data came from publicly accessible sources'),
    exemption: z
      .enum(EXEMPTIONS)
      .nullable()
      .optional()
      .describe('Art. 14(5): (a) already informed, (b) impossible or disproportionate effort, (c) obtaining laid down by law'),
    justification: z.string().trim().min(1).max(5_000).nullable().optional(),
    assessment: z
      .string()
      .trim()
      .min(1)
      .max(20_000)
      .nullable()
      .optional()
      .describe('For disproportionate effort: the assessment weighing the effort against the impact on the people (Art. 14(5)(b))'),
  })
  .superRefine((input, ctx) => {
    if (input.exemption && !input.justification)
      ctx.addIssue({ code: 'custom', path: ['justification'], message: 'An exemption must be justified' });
    if (input.exemption === 'disproportionate_effort' && !input.assessment)
      ctx.addIssue({
        code: 'custom',
        path: ['assessment'],
        message: 'Disproportionate effort must be assessed, and the assessment recorded',
      });
  });

export const noticeSourceView = z.object({
  id: z.string(),
  sourceType: z.enum(INDIRECT_SOURCES),
  sourceRef: z.string().nullable(),
  label: z.string(),
  publiclyAccessible: z.boolean(),
  exemption: z.enum(EXEMPTIONS).nullable(),
  justification: z.string().nullable(),
  assessment: z.string().nullable(),
  recordedBy: z.string().nullable(),
  recordedAt: z.string(),
});

export const noticeListQuery = pageQuery.extend({
  state: z
    .enum([...NOTICE_STATES, 'owed'])
    .optional()
    .describe('owed: due or overdue, soonest first (the default); sent: newest first'),
  personId: z.string().uuid().optional(),
});

export const noticeView = z.object({
  id: z.string(),
  person: z.object({ type: z.enum(['contact', 'lead']), id: z.string(), name: z.string().nullable() }),
  source: z.object({ type: z.string(), ref: z.string().nullable(), label: z.string() }),
  obtainedAt: z.string(),
  dueAt: z.string(),
  dueReason: z.enum(['one_month', 'first_disclosure']).describe('one_month: Art. 14(3)(a); first_disclosure: Art. 14(3)(c)'),
  state: z.enum(NOTICE_STATES),
  exemption: z.enum(EXEMPTIONS).nullable(),
  sentAt: z.string().nullable(),
  sentVia: z.enum(['notice', 'campaign']).nullable(),
  messageId: z.string().nullable().describe('The copy of the e-mail in the outbox, with the text the person was sent'),
  lastError: z.string().nullable(),
});

export const noticeSendInput = z
  .object({
    ids: z.array(z.string().uuid()).min(1).max(500).optional(),
    due: z.boolean().optional().describe('Every notice due or overdue (up to 500 at a time)'),
  })
  .refine((input) => Boolean(input.ids) !== Boolean(input.due), { message: 'Give either ids or due: true' });

export const noticeSendResult = z.object({
  sent: z.number(),
  failed: z.array(z.object({ id: z.string(), reason: z.string() })),
});

export const noticeCounts = z.object({
  due: z.number().describe('Owed, not yet past their date'),
  overdue: z.number(),
  sent: z.number(),
  exempt: z.number(),
  nextDueAt: z.string().nullable(),
});

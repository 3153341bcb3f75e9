import { z } from 'zod';

/** Imports and exports of CRM records (CSV and JSON). */

const importTotals = z.object({
  created: z.number().int(),
  duplicates: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  accountsCreated: z.number().int(),
});

export const importRunView = z.object({
  id: z.string().uuid(),
  object: z.enum(['contacts', 'accounts', 'leads', 'opportunities']),
  fileName: z.string(),
  state: z
    .enum(['running', 'finished', 'interrupted'])
    .describe(
      'interrupted: stopped by an error, or no batch for five minutes (the process died); send the same file with resumes=<id> to continue',
    ),
  startedAt: z.string(),
  lastBatchAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  interruptedAt: z.string().nullable(),
  resumes: z.string().uuid().nullable().describe('The interrupted run this one continues'),
  onDuplicate: z.enum(['skip', 'update', 'fill-empty']).describe('What the run does with rows matching an existing record'),
  rowsDone: z.number().int().describe('Rows of the file gone through by this run, counting from the first row of the file'),
  run: importTotals.describe('What this run did'),
  inAll: importTotals.describe('What this run and the interrupted runs it continues did together'),
});

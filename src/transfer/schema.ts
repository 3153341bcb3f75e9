import { z } from 'zod';

/** Imports and exports of CRM records (CSV and JSON). */

const importTotals = z.object({
  created: z.number().int(),
  duplicates: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  accountsCreated: z.number().int(),
});

const IMPORT_OBJECT = z.enum(['contacts', 'accounts', 'leads', 'opportunities']);
const ON_DUPLICATE = z.enum(['skip', 'update', 'fill-empty']);

/** Lines by number with what was said about them; counted in full, the first thousand kept. */
const lineNotes = <Line extends z.ZodType>(line: Line) =>
  z.object({ count: z.number().int(), lines: z.array(line), truncated: z.boolean() });
const lineErrors = z.object({ line: z.number().int(), errors: z.array(z.string()) });

/** What an import (or its dry run) did with each line of the file; the server builds it as ImportReport (transfer/import.ts). */
export const importReport = z.object({
  importId: z
    .string()
    .uuid()
    .nullable()
    .describe('The run (GET /imports); send the same file with resumes=<id> to continue an interrupted one'),
  object: IMPORT_OBJECT,
  dryRun: z.boolean(),
  resumed: z
    .object({ from: z.string().uuid(), rowsSkipped: z.number().int(), inAll: importTotals })
    .nullable()
    .describe(
      'For a resumption: the run continued, the rows it had gone through (skipped here), and the totals of this run and those before it',
    ),
  rows: z.number().int(),
  created: z.number().int(),
  duplicates: z.number().int().describe('Rows that matched an existing record (or an earlier row of the file); see matched'),
  updated: z.number().int().describe('Records written over or filled in by matching rows (onDuplicate update or fill-empty)'),
  matched: lineNotes(
    z.object({
      line: z.number().int(),
      recordId: z.string(),
      outcome: z.enum(['skipped', 'updated', 'unchanged', 'refused']),
      reason: z.string().optional(),
    }),
  ).describe('Each row that matched a record: which record, and whether it was skipped, updated, unchanged or refused'),
  onDuplicate: ON_DUPLICATE,
  accountsCreated: z.number().int(),
  failed: z.number().int(),
  errors: z.array(
    z.object({
      line: z.number().int(),
      errors: z.array(z.string()).describe('Each "field: reason" where a field is to blame'),
      cells: z.array(z.string()).optional().describe('With includeRows: the cells as read'),
    }),
  ),
  errorsTruncated: z.boolean(),
  leftOut: lineNotes(lineErrors).describe(
    'Rows imported without some of their values (each named with the reason); strict imports fail such rows instead',
  ),
  skipped: lineNotes(lineErrors).describe("Rows that are not records: blank rows, a report's footer"),
  format: z
    .object({
      encoding: z.string(),
      encodingFrom: z.enum(['given', 'bom', 'valid-utf-8', 'detected']),
      delimiter: z.enum(['comma', 'semicolon', 'tab', 'pipe']),
      delimiterFrom: z.enum(['given', 'detected']),
    })
    .nullable()
    .describe('How the file was read'),
  mapping: z.record(z.string(), z.string()),
  ignoredColumns: z.array(z.string()),
  columns: z.array(z.string()).describe('The header row as read'),
  fields: z.array(z.string()).readonly().describe('The fields a column can be mapped to'),
  preview: z
    .array(z.object({ line: z.number().int(), values: z.record(z.string(), z.unknown()), leftOut: z.array(z.string()) }))
    .nullable()
    .describe("A dry run's first rows as they would be stored; null for an import"),
});

export const importRunView = z.object({
  id: z.string().uuid(),
  object: IMPORT_OBJECT,
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
  onDuplicate: ON_DUPLICATE.describe('What the run does with rows matching an existing record'),
  rowsDone: z.number().int().describe('Rows of the file gone through by this run, counting from the first row of the file'),
  run: importTotals.describe('What this run did'),
  inAll: importTotals.describe('What this run and the interrupted runs it continues did together'),
});

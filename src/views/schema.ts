import { z } from 'zod';
import { RECORD_TYPES } from '../crm/schema.ts';

const name = z.string().trim().min(1).max(100);
const sort = z
  .string()
  .regex(/^-?[a-zA-Z]{1,40}$/, 'must be a field name, - in front for descending')
  .nullable()
  .optional()
  .describe("The list's order; null: its default");
const columns = z
  .array(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.]{0,59}$/, 'must be a column key'))
  .max(30)
  .optional()
  .describe("The columns shown, in order; empty: the list's default");

export const viewInput = z.object({
  object: z.enum(RECORD_TYPES),
  name,
  shared: z.boolean().optional().describe('Shared with the workspace; otherwise only its author sees it'),
  filters: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("The list's filters, as its query takes them (ownerId: me or team follow whoever opens the view)"),
  sort,
  columns,
});
export const viewPatch = viewInput.omit({ object: true }).partial();

export const viewView = z.object({
  id: z.string().describe('A uuid; the default views have ids starting with default:'),
  object: z.enum(RECORD_TYPES),
  name: z.string(),
  shared: z.boolean(),
  builtIn: z.boolean().describe('One of the default views every workspace has: it cannot be changed'),
  ownerId: z.string().uuid().nullable().describe('Who saved it; null for a default view'),
  editable: z.boolean().describe('The caller may change or remove it'),
  filters: z.record(z.string(), z.unknown()),
  sort: z.string().nullable(),
  columns: z.array(z.string()),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});

export const viewListQuery = z.object({ object: z.enum(RECORD_TYPES) });

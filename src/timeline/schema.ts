import { z } from 'zod';
import { RECORD_TYPES } from '../crm/schema.ts';
import { isoDateTime } from '../shared/fields.ts';

export const TIMELINE_KINDS = [
  'note',
  'call',
  'email',
  'meeting',
  'task_created',
  'task_done',
  'stage_change',
  'consent',
  'email_sent',
  'sync',
] as const;

export const timelineQuery = z.object({
  recordType: z.enum(RECORD_TYPES),
  recordId: z.string().uuid(),
  before: isoDateTime.optional().describe("Only what happened before this instant: the previous page's nextBefore"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const timelineItem = z.object({
  id: z.string().describe('The kind and the id of what it comes from, e.g. note:…'),
  kind: z.enum(TIMELINE_KINDS),
  at: z.string(),
  actorType: z.enum(['member', 'api_token', 'system', 'data_subject']),
  actorId: z.string().nullable().describe('The member (or API token) who did it; null for the system or the person'),
  title: z.string().describe('One line saying what happened'),
  body: z.string().nullable().describe("A note's text"),
  ref: z
    .object({ type: z.enum(['note', 'task']), id: z.string().uuid() })
    .nullable()
    .describe('The note or task it is, to open or edit it'),
});

export const timelineView = z.object({
  items: z.array(timelineItem),
  nextBefore: z.string().nullable().describe('Pass as before for older entries; null when there are none'),
});

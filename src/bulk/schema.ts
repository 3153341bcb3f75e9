import { z } from 'zod';

const id = z.string().uuid();
const text = (max: number) => z.string().trim().min(1).max(max);

/** The most records one bulk action touches: the whole action is one transaction. */
export const BULK_MAX = 10_000;
const bulkTarget = <T extends z.ZodType>(filters: T) => ({
  ids: z.array(id).min(1).max(BULK_MAX).optional().describe('The records selected'),
  filters: filters.optional().describe('Instead of ids: every record the list shows with these filters (a whole view)'),
  preview: z.boolean().optional().describe('Only count the records the action would touch'),
});
export const bulkAssignInput = <T extends z.ZodType>(filters: T) =>
  z.object({ ...bulkTarget(filters), ownerId: id.describe('The new owner') });
export const bulkDeleteInput = <T extends z.ZodType>(filters: T) => z.object(bulkTarget(filters));
export const bulkSegmentInput = <T extends z.ZodType>(filters: T) =>
  z.object({
    ...bulkTarget(filters),
    segmentId: id.optional().describe('A hand-picked segment to add them to'),
    segmentName: text(200).optional().describe('Instead of segmentId: the name of a new hand-picked segment'),
  });
export const bulkResult = z.object({
  id: id.nullable().describe('The bulk action as recorded (the audit trail names it); null for a preview'),
  count: z.number().int().describe('How many records the action touched (or, previewed, would touch)'),
  segmentId: id.optional().describe('add-to-segment: the segment'),
});
export const bulkCount = z.object({ count: z.number().int().describe('Records matching, at most BULK_MAX (more answers a 422)') });

import { client, unwrap, type BodyOf, type QueryOf } from '../../api/client.ts';
import type { ListFilters } from '../records/recordApis.ts';

export type BulkPath = 'accounts' | 'contacts' | 'leads' | 'opportunities';

/**
 * What a bulk action acts on: the rows ticked, or every record of the list as filtered. The
 * endpoints of the four lists take the same body; the contacts' types stand for all four.
 */
export type BulkTarget = { ids: string[] } | { filters: ListFilters };

type AssignBody = BodyOf<'/api/v1/contacts/bulk/assign'>;
type DeleteBody = BodyOf<'/api/v1/contacts/bulk/delete'>;
type SegmentBody = BodyOf<'/api/v1/contacts/bulk/add-to-segment'>;

const body = <T>(target: BulkTarget, extra: object) => ({ ...target, ...extra }) as T;

export const bulkApi = {
  count: (path: BulkPath, filters: ListFilters) =>
    unwrap(
      client.GET(`/api/v1/${path}/bulk/count` as '/api/v1/contacts/bulk/count', {
        params: { query: filters as QueryOf<'/api/v1/contacts/bulk/count'> },
      }),
    ),
  assign: (path: BulkPath, target: BulkTarget, ownerId: string) =>
    unwrap(client.POST(`/api/v1/${path}/bulk/assign` as '/api/v1/contacts/bulk/assign', { body: body<AssignBody>(target, { ownerId }) })),
  remove: (path: BulkPath, target: BulkTarget) =>
    unwrap(client.POST(`/api/v1/${path}/bulk/delete` as '/api/v1/contacts/bulk/delete', { body: body<DeleteBody>(target, {}) })),
  addToSegment: (path: 'contacts' | 'leads', target: BulkTarget, segmentName: string) =>
    unwrap(
      client.POST(`/api/v1/${path}/bulk/add-to-segment` as '/api/v1/contacts/bulk/add-to-segment', {
        body: body<SegmentBody>(target, { segmentName }),
      }),
    ),
};

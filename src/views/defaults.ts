import type { z } from 'zod';
import type { CrmRecordType } from '../db/types.ts';
import type { viewView } from './schema.ts';

type View = z.infer<typeof viewView>;

/**
 * The views every workspace has on every list, before anyone saves one. Their filters are
 * relative (me, 30 days), so they mean the same thing to whoever opens them, whenever.
 */
const DEFAULTS: ReadonlyArray<Pick<View, 'name' | 'filters' | 'sort'> & { key: string }> = [
  { key: 'my-records', name: 'My records', filters: { ownerId: 'me' }, sort: null },
  { key: 'recently-updated', name: 'Recently updated', filters: {}, sort: '-updatedAt' },
  { key: 'no-activity-30-days', name: 'No activity for 30 days', filters: { inactiveDays: 30 }, sort: null },
];

export function defaultViews(object: CrmRecordType): View[] {
  return DEFAULTS.map(({ key, ...view }) => ({
    ...view,
    id: `default:${key}`,
    object,
    shared: true,
    builtIn: true,
    ownerId: null,
    editable: false,
    columns: [],
    createdAt: null,
    updatedAt: null,
  }));
}

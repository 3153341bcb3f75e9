import type { z } from 'zod';
import type { Role } from '../auth/roles.ts';
import type { CrmRecordType } from '../db/types.ts';
import type { viewView } from './schema.ts';

type View = z.infer<typeof viewView>;

/**
 * The views every workspace has on every list, before anyone saves one. Their filters are
 * relative (me, 30 days), so they mean the same thing to whoever opens them, whenever.
 */
const DEFAULTS: ReadonlyArray<Pick<View, 'name' | 'filters' | 'sort'> & { key: string; managers?: true }> = [
  { key: 'my-records', name: 'My records', filters: { ownerId: 'me' }, sort: null },
  { key: 'my-team', name: "My team's records", filters: { ownerId: 'team' }, sort: null, managers: true },
  { key: 'recently-updated', name: 'Recently updated', filters: {}, sort: '-updatedAt' },
  { key: 'no-activity-30-days', name: 'No activity for 30 days', filters: { inactiveDays: 30 }, sort: null },
];

/** Salespeople see only their own records: a view of their team's would show them the same. */
const WITHOUT_TEAM_VIEW: readonly Role[] = ['salesperson', 'jr_salesperson'];

export function defaultViews(object: CrmRecordType, role: Role): View[] {
  const views = WITHOUT_TEAM_VIEW.includes(role) ? DEFAULTS.filter((view) => !view.managers) : DEFAULTS;
  return views.map(({ key, managers: _managers, ...view }) => ({
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

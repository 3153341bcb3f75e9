import { client, unwrap } from '../../api/client.ts';
import { ROUTE_TABLE, type RouteEntry } from '../../routeTable.ts';
import { OBJECTS, type ObjectSpec } from '../records/objects.ts';
import type { CrmRecord } from '../records/recordApis.ts';

/** One line of the command palette: a record, a task or an action, and where choosing it goes. */
export interface PaletteEntry {
  key: string;
  label: string;
  /** What it is: "Contact", "Deal", "Action". */
  kind: string;
  detail?: string;
  href: string;
  /** Where a search matched the label. */
  marks?: Array<{ start: number; end: number }>;
}

const PER_OBJECT = 5;

const CREATE: PaletteEntry[] = [
  { key: 'new-contact', label: 'New contact', kind: 'Action', href: 'contacts/new' },
  { key: 'new-lead', label: 'New lead', kind: 'Action', href: 'leads/new' },
  { key: 'new-account', label: 'New account', kind: 'Action', href: 'accounts/new' },
  { key: 'new-deal', label: 'New deal', kind: 'Action', href: 'opportunities/new' },
];

/** Creating a record, and going to every page the member may open (from the one route table). */
export function actionsFor(can: (permission: string) => boolean): PaletteEntry[] {
  const pages = ROUTE_TABLE.filter((route: RouteEntry) => !route.hidden && (!route.permission || can(route.permission)));
  return [...CREATE, ...pages.map((route) => ({ key: `go:${route.path}`, label: route.title, kind: 'Go to', href: route.path }))];
}

function recordEntry<R extends CrmRecord>(spec: ObjectSpec<R>, record: R): PaletteEntry {
  return {
    key: `${spec.path}:${record.id}`,
    label: spec.title(record),
    kind: spec.path === 'opportunities' ? 'Deal' : spec.singular,
    href: `${spec.path}/${record.id}`,
    marks: spec.marks?.(record) ?? [],
  };
}

/**
 * What the palette offers for a query: matching records of every object (people best match
 * first, through the server's directory), the caller's open tasks whose title matches, a "Log
 * call" on the best person, and the actions whose name matches.
 */
export async function paletteEntries(q: string, memberId: string, actions: PaletteEntry[], signal: AbortSignal): Promise<PaletteEntry[]> {
  const search = <R extends CrmRecord>(spec: ObjectSpec<R>) =>
    spec.api.list({ q, limit: PER_OBJECT }, signal).then((page) => page.items.map((record) => recordEntry(spec, record)));
  const lists = await Promise.all([
    search(OBJECTS.contacts),
    search(OBJECTS.leads),
    search(OBJECTS.accounts),
    search(OBJECTS.opportunities),
  ]);
  const tasks = await unwrap(
    client.GET('/api/v1/tasks', { params: { query: { assigneeId: memberId, done: 'false', limit: 200 } }, signal }),
  );
  const needle = q.toLowerCase();
  const taskEntries: PaletteEntry[] = tasks.items
    .filter((task) => task.title.toLowerCase().includes(needle))
    .slice(0, PER_OBJECT)
    .map((task) => {
      const at = task.title.toLowerCase().indexOf(needle);
      return { key: `task:${task.id}`, label: task.title, kind: 'Task', href: 'tasks', marks: [{ start: at, end: at + needle.length }] };
    });
  const people = [...lists[0]!, ...lists[1]!];
  const best = people[0];
  const logCall: PaletteEntry[] = best
    ? [{ key: `log-call:${best.key}`, label: `Log call on ${best.label}`, kind: 'Action', href: `${best.href}/log-call` }]
    : [];
  const matching = actions.filter((action) => action.label.toLowerCase().includes(needle));
  return [...lists.flat(), ...taskEntries, ...logCall, ...matching];
}

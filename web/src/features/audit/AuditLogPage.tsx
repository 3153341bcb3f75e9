import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { client, unwrap, type Schemas } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { useDebounced } from '../../ui/useDebounced.ts';
import { AuditEventDetails } from './AuditEventDetails.tsx';
import { AuditFilters, type AuditFilterValues } from './AuditFilters.tsx';
import { ChainStatus } from './ChainStatus.tsx';
import { useMembers } from '../members/useMembers.ts';

type AuditEvent = Schemas['AuditEvent'];

/** Dates typed in the filter are whole days: "to" includes the day it names. */
function queryOf(filter: AuditFilterValues) {
  const day = (date: string, plusDays = 0) =>
    date ? new Date(Date.parse(`${date}T00:00:00Z`) + plusDays * 86_400_000).toISOString() : undefined;
  return {
    action: filter.action.trim() || undefined,
    objectType: filter.objectType.trim() || undefined,
    objectId: filter.objectId.trim() || undefined,
    actorId: filter.actorId || undefined,
    from: day(filter.from),
    to: day(filter.to, 1),
  };
}

export function AuditLogPage() {
  const [filter, setFilter] = useState<AuditFilterValues>({ action: '', objectType: '', objectId: '', actorId: '', from: '', to: '' });
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const query = queryOf(useDebounced(filter));
  const { members, nameOf } = useMembers();
  const events = useInfiniteQuery({
    queryKey: ['audit-events', query],
    queryFn: ({ pageParam, signal }) =>
      unwrap(client.GET('/api/v1/audit-events', { params: { query: { ...query, limit: 100, before: pageParam } }, signal })),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  const exportHref = `/api/v1/audit-events/export.csv?${new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])))}`;
  const actor = (event: AuditEvent) =>
    event.actorType === 'member' && event.actorId ? nameOf(event.actorId) || 'Former member' : event.actorType.replace('_', ' ');
  return (
    <main className="wide">
      <header className="page-header">
        <h1>Audit log</h1>
        <a className="button secondary" href={exportHref} download>
          Export CSV
        </a>
      </header>
      <ChainStatus />
      <AuditFilters value={filter} onChange={setFilter} members={members} />
      <ErrorMessage error={events.error} />
      <div className="table-scroll">
        <table aria-label="Audit events">
          <thead>
            <tr>
              <th>#</th>
              <th>When (UTC)</th>
              <th>Who</th>
              <th>Action</th>
              <th>Object</th>
              <th>Fields</th>
            </tr>
          </thead>
          <tbody>
            {items.map((event) => (
              <tr key={event.seq}>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(event)} aria-label={`Open event ${event.seq}`}>
                    {event.seq}
                  </button>
                </td>
                <td>{dateTime(event.occurredAt)}</td>
                <td className="wrap">{actor(event)}</td>
                <td>{event.action}</td>
                <td className="wrap">{event.objectType ?? '—'}</td>
                <td className="wrap">{event.fields.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!events.isPending && items.length === 0 && <p className="muted">No event matches these filters.</p>}
      <LoadMore hasMore={events.hasNextPage} loading={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()} />
      {open && <AuditEventDetails event={open} actor={actor(open)} onClose={() => setOpen(null)} />}
    </main>
  );
}

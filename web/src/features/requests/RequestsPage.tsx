import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateOnly, labelOf } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { DeadlineBadge } from './DeadlineBadge.tsx';
import { LogRequestForm } from './LogRequestForm.tsx';
import { CHANNELS, JURISDICTION_LABELS, REQUEST_TYPES } from './requestLabels.ts';
import { RequestFilters, type Filters } from './RequestFilters.tsx';

/** The queue of data subject requests, soonest deadline first, with filters and a "log a request" form. */
export function RequestsPage() {
  const [filters, setFilters] = useState<Filters>({ status: 'open', sort: 'dueAt' });
  const [logging, setLogging] = useState(false);
  const requests = usePagedList(['dsr-requests', filters], (cursor, signal) =>
    unwrap(client.GET('/api/v1/dsr-requests', { params: { query: { ...filters, limit: 50, cursor } }, signal })),
  );
  const summary = useQuery({
    queryKey: ['dsr-requests', 'summary'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/dsr-requests/summary', { signal })),
  }).data;
  return (
    <main>
      <header className="page-header">
        <h1>Data subject requests</h1>
        <button onClick={() => setLogging(!logging)}>{logging ? 'Close' : 'Log a request'}</button>
      </header>
      {summary && (
        <p className="summary" aria-label="Deadlines">
          <strong>{summary.open}</strong> open · <span className={summary.nearDue ? 'warn' : ''}>{summary.nearDue} due within a week</span>{' '}
          · <span className={summary.overdue ? 'error' : ''}>{summary.overdue} overdue</span>
        </p>
      )}
      {logging && (
        <LogRequestForm
          onLogged={(request) => {
            setLogging(false);
            navigate(`requests/${request.id}`);
          }}
        />
      )}
      <RequestFilters filters={filters} onChange={setFilters} />
      <ErrorMessage error={requests.error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Type</th>
              <th>Requester</th>
              <th>Received</th>
              <th>Due</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {requests.items.map((request) => (
              <tr key={request.id}>
                <td>
                  <a href={`#/requests/${request.id}`}>{REQUEST_TYPES[request.type]}</a>{' '}
                  <span className="badge">{JURISDICTION_LABELS[request.jurisdiction] ?? request.jurisdiction}</span>{' '}
                  <span className="muted">via {CHANNELS[request.channel]}</span>
                </td>
                <td className="wrap">{request.requester.email}</td>
                <td>{dateOnly(request.receivedAt)}</td>
                <td>
                  {dateOnly(request.dueAt)} <DeadlineBadge deadline={request.deadline} />
                </td>
                <td>{labelOf(request.status)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!requests.isPending && requests.items.length === 0 && <p className="muted">No requests match.</p>}
      <LoadMore hasMore={requests.hasMore} loading={requests.loadingMore} onClick={requests.loadMore} />
    </main>
  );
}

import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime, labelOf } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import type { ExclusionReason } from './exclusionReasons.ts';

/** Whom a campaign leaves out and why: decided now for a draft, as recorded for a send. */
export function CampaignExclusions({ campaignId, reasons }: { campaignId: string; reasons: string[] }) {
  const [reason, setReason] = useState<ExclusionReason | ''>('');
  const list = usePagedList(['campaigns', campaignId, 'exclusions', reason], (cursor, signal) =>
    unwrap(
      client.GET('/api/v1/campaigns/{id}/exclusions', {
        params: { path: { id: campaignId }, query: { limit: 50, cursor, reason: reason || undefined } },
        signal,
      }),
    ),
  );
  const items = list.items;

  return (
    <section aria-label="Excluded people">
      <label>
        <span>Reason</span>
        <select value={reason} onChange={(event) => setReason(event.target.value as ExclusionReason | '')}>
          <option value="">every reason</option>
          {reasons.map((key) => (
            <option key={key} value={key}>
              {labelOf(key)}
            </option>
          ))}
        </select>
      </label>
      <ErrorMessage error={list.error} />
      {!list.isPending && items.length === 0 ? (
        <p className="muted">Nobody is left out{reason ? ' for this reason' : ''}.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Person</th>
              <th>Email</th>
              <th>Reason</th>
              <th>Refused</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={`${item.person.id}:${item.reason}`}>
                <td>
                  <a href={`#/${item.person.type}s/${item.person.id}`}>{item.person.name ?? <em>erased</em>}</a>
                </td>
                <td>{item.person.email ?? ''}</td>
                <td>{labelOf(item.reason)}</td>
                <td>{item.refusedAt ? dateTime(item.refusedAt) : 'if sent now'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </section>
  );
}

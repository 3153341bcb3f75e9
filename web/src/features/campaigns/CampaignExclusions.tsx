import { useEffect, useState } from 'react';
import { get, query, type Page } from '../../api.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

interface Exclusion {
  person: { type: 'contact' | 'lead'; id: string; name: string | null; email: string | null };
  reason: string;
  refusedAt: string | null;
}

/** Whom a campaign leaves out and why: decided now for a draft, as recorded for a send. */
export function CampaignExclusions({ campaignId, reasons }: { campaignId: string; reasons: string[] }) {
  const [reason, setReason] = useState('');
  const [items, setItems] = useState<Exclusion[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = (after: string | null) =>
    get<Page<Exclusion>>(`/api/v1/campaigns/${campaignId}/exclusions${query({ limit: 50, reason, cursor: after ?? undefined })}`).then(
      (page) => {
        setItems((current) => (after ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor);
      },
      setError,
    );
  useEffect(() => void load(null), [campaignId, reason]);

  return (
    <section aria-label="Excluded people">
      <label>
        <span>Reason</span>
        <select value={reason} onChange={(event) => setReason(event.target.value)}>
          <option value="">every reason</option>
          {reasons.map((key) => (
            <option key={key} value={key}>
              {key.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      <ErrorMessage error={error} />
      {items.length === 0 ? (
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
                  <a href={`#/${item.person.type}s/${item.person.id}`}>{item.person.name ?? 'open'}</a>
                </td>
                <td>{item.person.email ?? ''}</td>
                <td>{item.reason.replaceAll('_', ' ')}</td>
                <td>{item.refusedAt ? new Date(item.refusedAt).toLocaleString() : 'if sent now'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button className="secondary" onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
    </section>
  );
}

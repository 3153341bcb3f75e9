import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

const RULES: Record<string, string> = {
  domain: 'same domain',
  name: 'same name (legal form, case and accents ignored)',
  fuzzy_name: 'similar name',
  email: 'same email address',
  review: 'merged by a person after review',
  pushed: 'pushed from here',
};

type RecordType = 'account' | 'contact' | 'lead' | 'opportunity';

/** On a record page: its copies in other CRMs (and why each is linked), and a push to one of them. */
export function SyncPanel({ recordType, recordId }: { recordType: RecordType; recordId: string }) {
  const {
    data: links,
    error,
    act,
  } = usePageData(['sync-links', recordType, recordId], (signal) =>
    unwrap(client.GET('/api/v1/sync-links', { params: { query: { recordType, recordId } }, signal })),
  );
  const [target, setTarget] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  if (!links || (links.items.length === 0 && links.pushTargets.length === 0)) return null;
  const push = (force: boolean) =>
    act(async () => {
      setNotice(null);
      const result = await unwrap(
        client.POST('/api/v1/integrations/{id}/push', {
          params: { path: { id: target || links.pushTargets[0]!.id } },
          body: { record: { type: recordType, id: recordId }, force },
        }),
      );
      setNotice(`${result.action === 'created' ? 'Created' : 'Updated'} in the CRM as ${result.object} ${result.externalId}.`);
    });
  return (
    <section aria-label="Other CRMs">
      <h2>Other CRMs</h2>
      <ErrorMessage error={error} />
      {notice && <p className="notice">{notice}</p>}
      <ul>
        {links.items.map((link) => (
          <li key={`${link.integrationId}:${link.object}:${link.externalId}`} className="wrap">
            {link.integrationLabel}: {link.object} {link.externalId} —{' '}
            {link.origin === 'created'
              ? 'brought in by this CRM'
              : `linked${link.matchRule ? `: ${RULES[link.matchRule] ?? link.matchRule}` : ''}`}
            {link.filledFields.length > 0 ? ` (it filled ${link.filledFields.join(', ')})` : ''}
          </li>
        ))}
      </ul>
      {links.pushTargets.length > 0 && (
        <div className="actions">
          <select aria-label="CRM" value={target} onChange={(e) => setTarget(e.target.value)}>
            {links.pushTargets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
          <button className="secondary" onClick={push(false)}>
            Push to CRM
          </button>
          <button className="secondary" onClick={push(true)}>
            Push, overwriting changes there
          </button>
        </div>
      )}
    </section>
  );
}

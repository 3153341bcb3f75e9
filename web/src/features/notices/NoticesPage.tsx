import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import type { components } from '../../api/schema';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateOnly } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';

type NoticeState = 'owed' | 'due' | 'overdue' | 'sent' | 'exempt';
type SendResult = components['schemas']['NoticeSendResult'];

const STATES: Record<NoticeState, string> = {
  owed: 'Owed (due and overdue)',
  overdue: 'Overdue',
  due: 'Due',
  sent: 'Sent',
  exempt: 'Exempt (Art. 14(5))',
};

const EXEMPTIONS: Record<string, string> = {
  already_informed: 'already informed',
  disproportionate_effort: 'disproportionate effort',
  legal_obligation: 'laid down by law',
};

/**
 * Art. 14: the people whose data did not come from them, and the notice each is owed: due one
 * month after obtaining at the latest, sooner at a first e-mail or disclosure; sent alone or
 * inside the first campaign e-mail.
 */
export function NoticesPage({ canSend }: { canSend: boolean }) {
  const [state, setState] = useState<NoticeState>('owed');
  const [result, setResult] = useState<SendResult | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const queryClient = useQueryClient();
  const notices = usePagedList(['notices', state], (cursor, signal) =>
    unwrap(client.GET('/api/v1/notices', { params: { query: { state, cursor, limit: 50 } }, signal })),
  );
  const send = async (body: { ids: string[] } | { due: true }) => {
    setFailure(null);
    try {
      setResult(await unwrap(client.POST('/api/v1/notices/send', { body })));
    } catch (error) {
      setFailure(error);
    }
    await queryClient.invalidateQueries({ queryKey: ['notices'] });
  };
  return (
    <main>
      <header className="page-header">
        <h1>Notices to people not asked themselves</h1>
        {canSend && state !== 'sent' && state !== 'exempt' && (
          <button onClick={() => void send({ due: true })}>Send every owed notice now</button>
        )}
      </header>
      <p className="muted">
        Art. 14 GDPR: who holds their data, why, and where it came from, within one month of obtaining it, at the first e-mail to them, or
        before it is passed on. Exemptions are recorded per source in the register.
      </p>
      <label>
        Show{' '}
        <select value={state} onChange={(event) => setState(event.target.value as NoticeState)}>
          {Object.entries(STATES).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {result && (
        <p role="status">
          {result.sent} sent
          {result.failed.length > 0 && `; ${result.failed.length} not sent: ${[...new Set(result.failed.map((f) => f.reason))].join('; ')}`}
        </p>
      )}
      <ErrorMessage error={failure ?? notices.error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Person</th>
              <th>Source</th>
              <th>Obtained</th>
              <th>{state === 'sent' ? 'Sent' : 'Due'}</th>
              <th>State</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {notices.items.map((notice) => (
              <tr key={notice.id}>
                <td className="wrap">
                  <a href={`#/${notice.person.type}s/${notice.person.id}`}>{notice.person.name ?? 'unnamed'}</a>
                </td>
                <td className="wrap">{notice.source.label}</td>
                <td>{dateOnly(notice.obtainedAt)}</td>
                <td>
                  {notice.sentAt ? dateOnly(notice.sentAt) : dateOnly(notice.dueAt)}
                  {notice.dueReason === 'first_disclosure' && !notice.sentAt && <span className="badge">first disclosure</span>}
                </td>
                <td>
                  <span className={notice.state === 'overdue' ? 'error' : undefined}>{notice.state}</span>
                  {notice.sentVia === 'campaign' && <span className="muted"> in a campaign e-mail</span>}
                  {notice.exemption && <span className="muted"> ({EXEMPTIONS[notice.exemption]})</span>}
                  {notice.lastError && <span className="muted"> — {notice.lastError}</span>}
                </td>
                <td>
                  {canSend && (notice.state === 'due' || notice.state === 'overdue') && (
                    <button
                      aria-label={`Send the notice to ${notice.person.name ?? 'this person'}`}
                      onClick={() => void send({ ids: [notice.id] })}
                    >
                      Send
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!notices.isPending && notices.items.length === 0 && <p className="muted">No notices here.</p>}
      <LoadMore hasMore={notices.hasMore} loading={notices.loadingMore} onClick={notices.loadMore} />
    </main>
  );
}

import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { OutboxRow } from './OutboxRow.tsx';

/** Every email sent to people: the outbox when no SMTP server is configured, a send log otherwise. */
export function OutboxPage() {
  const list = usePagedList(['email-messages'], (cursor, signal) =>
    unwrap(client.GET('/api/v1/email-messages', { params: { query: { limit: 50, cursor } }, signal })),
  );
  const [open, setOpen] = useState<string | null>(null);
  return (
    <main>
      <h1>Outbox</h1>
      <ErrorMessage error={list.error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>To</th>
              <th>Subject</th>
              <th>Kind</th>
              <th>Delivery</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((message) => (
              <OutboxRow
                key={message.id}
                message={message}
                open={open === message.id}
                onToggle={() => setOpen(open === message.id ? null : message.id)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {!list.isPending && list.items.length === 0 && <p className="muted">No e-mail sent yet.</p>}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </main>
  );
}

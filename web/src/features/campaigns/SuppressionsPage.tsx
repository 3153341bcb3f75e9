import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime, labelOf } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';

/** The addresses no marketing e-mail goes to, and a form to add one. */
export function SuppressionsPage() {
  const queryClient = useQueryClient();
  const list = usePagedList(['suppressions'], (cursor, signal) =>
    unwrap(client.GET('/api/v1/suppressions', { params: { query: { limit: 50, cursor } }, signal })),
  );
  const [email, setEmail] = useState('');
  const suppress = useMutation({
    mutationFn: (address: string) => unwrap(client.POST('/api/v1/suppressions', { body: { email: address, detail: null } })),
    onSuccess: () => {
      setEmail('');
      void queryClient.invalidateQueries({ queryKey: ['suppressions'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    suppress.mutate(email);
  };
  return (
    <main>
      <h1>Suppression list</h1>
      <p className="muted">
        No marketing email goes to these addresses. Only a keyed hash of each address is kept, so the list outlives erasure. Staff can add
        an address; only the person takes it off, by subscribing again themselves (a form with double opt-in, or the preference centre).
      </p>
      <ErrorMessage error={list.error ?? suppress.error} />
      <form className="inline" onSubmit={submit}>
        <input
          aria-label="Email address"
          type="email"
          required
          placeholder="address@example.org"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="submit" disabled={suppress.isPending}>
          Suppress
        </button>
      </form>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Person</th>
              <th>Reason</th>
              <th>Detail</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((row) => (
              <tr key={row.emailIndex}>
                <td>
                  {row.person ? (
                    <a href={`#/${row.person.type}s/${row.person.id}`}>{row.person.name ?? <em>erased</em>}</a>
                  ) : (
                    <span className="muted">not in the CRM</span>
                  )}
                </td>
                <td>{labelOf(row.reason)}</td>
                <td>{row.detail ?? ''}</td>
                <td>{dateTime(row.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </main>
  );
}

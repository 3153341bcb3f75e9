import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime } from '../../ui/labels.ts';

export function SessionsList() {
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['auth', 'sessions'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/auth/sessions', { signal })),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['auth', 'sessions'] }),
  });
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      <ErrorMessage error={sessions.error ?? revoke.error} />
      <div className="table-scroll">
        <table aria-label="Sessions">
          <thead>
            <tr>
              <th>Device</th>
              <th>Address</th>
              <th>Signed in</th>
              <th>Last seen</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.data?.items.map((session) => (
              <tr key={session.id}>
                <td className="wrap">{session.userAgent ?? 'Unknown device'}</td>
                <td>{session.ip ?? '—'}</td>
                <td>{dateTime(session.createdAt)}</td>
                <td>{dateTime(session.lastSeenAt)}</td>
                <td>
                  {session.current ? (
                    <strong>This session</strong>
                  ) : (
                    <button type="button" className="secondary" disabled={revoke.isPending} onClick={() => revoke.mutate(session.id)}>
                      Sign out
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

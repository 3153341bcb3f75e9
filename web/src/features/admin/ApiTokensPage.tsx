import { useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { CreateTokenForm } from './CreateTokenForm.tsx';
import type { Viewer } from './viewer.ts';

/** API tokens: created with the scopes they need (shown once), revoked, each with its expiry and last use. */
export function ApiTokensPage({ viewer, permissions }: { viewer: Viewer; permissions: string[] }) {
  const queryClient = useQueryClient();
  const tokens = usePagedList(['api-tokens'], (cursor, signal) =>
    unwrap(client.GET('/api/v1/api-tokens', { params: { query: { limit: 100, cursor } }, signal })),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['api-tokens'] });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE('/api/v1/api-tokens/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  return (
    <main>
      <h1>API tokens</h1>
      <p className="muted">
        A token acts as you ({viewer.role.replace('_', ' ')}), limited to the scopes you choose. Send it as{' '}
        <code>Authorization: Bearer …</code>.
      </p>
      <CreateTokenForm permissions={permissions} onCreated={refresh} />
      <ErrorMessage error={tokens.error ?? revoke.error} />
      <div className="table-scroll">
        <table aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th>Status</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.items.map((token) => (
              <tr key={token.id}>
                <td className="wrap">{token.name}</td>
                <td className="wrap">{token.scopes.join(', ')}</td>
                <td>{dateTime(token.createdAt)}</td>
                <td>{token.expiresAt ? dateTime(token.expiresAt) : 'Never'}</td>
                <td>{dateTime(token.lastUsedAt)}</td>
                <td>{token.revokedAt ? `Revoked ${dateTime(token.revokedAt)}` : 'Active'}</td>
                <td>
                  {!token.revokedAt && (
                    <ConfirmButton
                      label="Revoke"
                      title={`Revoke the token “${token.name}”?`}
                      confirmLabel="Revoke token"
                      onConfirm={() => revoke.mutate(token.id)}
                    >
                      <p>Every program that uses this token loses access at once. This cannot be undone.</p>
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!tokens.isPending && tokens.items.length === 0 && <p className="muted">No tokens yet.</p>}
      <LoadMore hasMore={tokens.hasMore} loading={tokens.loadingMore} onClick={tokens.loadMore} />
    </main>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime, labelOf, ROLE_LABELS } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { InviteMemberForm } from './InviteMemberForm.tsx';
import type { Viewer } from './viewer.ts';

export function InvitationsPanel({ viewer }: { viewer: Viewer }) {
  const queryClient = useQueryClient();
  const invitations = usePagedList(['invitations'], (cursor, signal) =>
    unwrap(client.GET('/api/v1/invitations', { params: { query: { limit: 50, cursor } }, signal })),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['invitations'] });
  const resend = useMutation({
    mutationFn: (id: string) => unwrap(client.POST('/api/v1/invitations/{id}/resend', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE('/api/v1/invitations/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      <InviteMemberForm viewer={viewer} onInvited={refresh} />
      <ErrorMessage error={invitations.error ?? resend.error ?? revoke.error} />
      {resend.isSuccess && (
        <p role="status">
          A new link went to {resend.data.email}; it is valid until {dateTime(resend.data.expiresAt)}.
        </p>
      )}
      <div className="table-scroll">
        <table aria-label="Invitations">
          <thead>
            <tr>
              <th>E-mail</th>
              <th>Role</th>
              <th>Status</th>
              <th>Expires</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.items.map((invitation) => (
              <tr key={invitation.id}>
                <td className="wrap">{invitation.email}</td>
                <td>
                  {ROLE_LABELS[invitation.role]}
                  {invitation.isDpo && ', DPO'}
                </td>
                <td>{labelOf(invitation.status)}</td>
                <td>{dateTime(invitation.expiresAt)}</td>
                <td className="actions">
                  {(invitation.status === 'pending' || invitation.status === 'expired') && (
                    <>
                      <button type="button" className="secondary" disabled={resend.isPending} onClick={() => resend.mutate(invitation.id)}>
                        Resend
                      </button>
                      <ConfirmButton
                        label="Revoke"
                        title={`Revoke the invitation of ${invitation.email}?`}
                        confirmLabel="Revoke invitation"
                        onConfirm={() => revoke.mutate(invitation.id)}
                      >
                        <p>The link sent to {invitation.email} stops working. You can invite them again later.</p>
                      </ConfirmButton>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!invitations.isPending && invitations.items.length === 0 && <p className="muted">No invitations yet.</p>}
      <LoadMore hasMore={invitations.hasMore} loading={invitations.loadingMore} onClick={invitations.loadMore} />
    </section>
  );
}

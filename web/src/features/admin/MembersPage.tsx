import { client, unwrap } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { InvitationsPanel } from './InvitationsPanel.tsx';
import { MemberRow } from './MemberRow.tsx';
import type { Viewer } from './viewer.ts';

/** The workspace's members: roles, DPO flag, team, deactivation; and the invitations when the viewer may invite. */
export function MembersPage({ viewer }: { viewer: Viewer }) {
  const members = usePagedList(['members'], (cursor, signal) =>
    unwrap(client.GET('/api/v1/members', { params: { query: { limit: 100, cursor } }, signal })),
  );
  const activeAdministrators = members.items.filter((m) => m.role === 'administrator' && m.status === 'active').length;
  return (
    <main>
      <h1>Members</h1>
      <ErrorMessage error={members.error} />
      {members.isPending ? (
        <p className="muted">Loading…</p>
      ) : (
        <div className="table-scroll">
          <table aria-label="Members">
            <thead>
              <tr>
                <th>Name</th>
                <th>E-mail</th>
                <th>Role</th>
                <th>DPO</th>
                <th>Team</th>
                <th>Two-factor</th>
                <th>Status</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.items.map((member) => (
                <MemberRow key={member.id} member={member} viewer={viewer} lastAdministrator={activeAdministrators <= 1} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasMore={members.hasMore} loading={members.loadingMore} onClick={members.loadMore} />
      {viewer.can('members.invite') && <InvitationsPanel viewer={viewer} />}
    </main>
  );
}

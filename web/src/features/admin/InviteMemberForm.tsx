import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { ROLE_LABELS, ROLES, type Role } from '../../ui/labels.ts';
import { mayGrantAdministration, type Viewer } from './viewer.ts';

export function InviteMemberForm({ viewer, onInvited }: { viewer: Viewer; onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('salesperson');
  const [isDpo, setIsDpo] = useState(false);
  const admin = mayGrantAdministration(viewer);
  const invite = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/invitations', { body: { email, role, isDpo } })),
    onSuccess: () => {
      setEmail('');
      setIsDpo(false);
      onInvited();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };
  return (
    <form className="inline-form" aria-label="Invite a member" onSubmit={submit}>
      <label>
        E-mail
        <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
          {ROLES.filter((r) => admin || r !== 'administrator').map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </label>
      {admin && (
        <label className="checkbox">
          <input type="checkbox" checked={isDpo} onChange={(event) => setIsDpo(event.target.checked)} /> Data protection officer
        </label>
      )}
      <button type="submit" disabled={invite.isPending}>
        Send invitation
      </button>
      <ErrorMessage error={invite.error} />
      {invite.isSuccess && <p role="status">Invitation sent to {invite.data.email}.</p>}
    </form>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, unwrap, type Schemas } from '../../api/client.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { ROLE_LABELS, ROLES, type Role } from '../../ui/labels.ts';
import { mayGrantAdministration, type Viewer } from './viewer.ts';

type Member = Schemas['Member'];
type MemberPatch = Schemas['MemberPatch'];

/**
 * One member with the changes the viewer may make. The last active Administrator cannot be
 * demoted or deactivated (the server refuses it too): the controls say so instead of failing.
 */
export function MemberRow({ member, viewer, lastAdministrator }: { member: Member; viewer: Viewer; lastAdministrator: boolean }) {
  const queryClient = useQueryClient();
  const [team, setTeam] = useState(member.team ?? '');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['members'] });
  const update = useMutation({
    mutationFn: (patch: MemberPatch) => unwrap(client.PATCH('/api/v1/members/{id}', { params: { path: { id: member.id } }, body: patch })),
    onSuccess: refresh,
  });
  const deactivate = useMutation({
    mutationFn: () => unwrap(client.DELETE('/api/v1/members/{id}', { params: { path: { id: member.id } } })),
    onSuccess: refresh,
  });
  const manage = viewer.can('members.manage') && member.status === 'active';
  const admin = mayGrantAdministration(viewer);
  const soleAdministrator = member.role === 'administrator' && lastAdministrator;
  const label = `${member.name} (${member.email})`;
  return (
    <tr>
      <td className="wrap">{member.name}</td>
      <td className="wrap">{member.email}</td>
      <td>
        {manage && !soleAdministrator && (admin || member.role !== 'administrator') ? (
          <select
            aria-label={`Role of ${label}`}
            value={member.role}
            disabled={update.isPending}
            onChange={(event) => update.mutate({ role: event.target.value as Role })}
          >
            {ROLES.filter((r) => admin || r !== 'administrator').map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        ) : (
          <span title={soleAdministrator ? 'The workspace always keeps one active Administrator' : undefined}>
            {ROLE_LABELS[member.role]}
          </span>
        )}
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={`${label} is the DPO`}
          checked={member.isDpo}
          disabled={!manage || !admin || update.isPending}
          onChange={(event) => update.mutate({ isDpo: event.target.checked })}
        />
      </td>
      <td>
        {manage ? (
          <form
            className="inline-form compact"
            onSubmit={(event) => {
              event.preventDefault();
              update.mutate({ team: team.trim() || null });
            }}
          >
            <input aria-label={`Team of ${label}`} value={team} maxLength={100} onChange={(event) => setTeam(event.target.value)} />
            <button type="submit" className="secondary" disabled={update.isPending || team === (member.team ?? '')}>
              Save
            </button>
          </form>
        ) : (
          (member.team ?? '—')
        )}
      </td>
      <td>{member.totpEnabled ? 'On' : 'Off'}</td>
      <td>{member.status === 'active' ? 'Active' : 'Deactivated'}</td>
      <td className="actions">
        {manage && member.id !== viewer.memberId && (
          <ConfirmButton
            label="Deactivate"
            title={`Deactivate ${member.name}?`}
            confirmLabel="Deactivate member"
            disabled={soleAdministrator}
            onConfirm={() => deactivate.mutate()}
          >
            <p>
              {member.name} is signed out everywhere and can no longer sign in to this workspace. Their records and history stay, and can be
              reassigned.
            </p>
          </ConfirmButton>
        )}
        <ErrorMessage error={update.error ?? deactivate.error} />
      </td>
    </tr>
  );
}

import { useMembers } from './useMembers.ts';

/** A choice of active member (a record's owner): empty keeps the server's default, the member saving it. */
export function MemberSelect({ id, value, onChange }: { id: string; value: string; onChange(value: string): void }) {
  const { members } = useMembers();
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="">{value ? '—' : 'Me'}</option>
      {members
        .filter((member) => member.status === 'active' || member.id === value)
        .map((member) => (
          <option key={member.id} value={member.id}>
            {member.name}
          </option>
        ))}
    </select>
  );
}

import { useMembers } from './useMembers.ts';

interface Props {
  id: string;
  value: string;
  onChange(value: string): void;
  /** What no filter means here: "Anyone", "Everyone I can see". */
  anyone: string;
}

/** Whose records: anyone's, the member's own, their team's, or one member's (server: ownerId me, team or an id). */
export function OwnerFilter({ id, value, onChange, anyone }: Props) {
  const { members } = useMembers();
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="">{anyone}</option>
      <option value="me">Me</option>
      <option value="team">My team</option>
      {members.map((member) => (
        <option key={member.id} value={member.id}>
          {member.name}
        </option>
      ))}
    </select>
  );
}

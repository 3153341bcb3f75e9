import type { Schemas } from '../../api/client.ts';

export interface AuditFilterValues {
  action: string;
  objectType: string;
  objectId: string;
  actorId: string;
  from: string;
  to: string;
}

export function AuditFilters({
  value,
  onChange,
  members,
}: {
  value: AuditFilterValues;
  onChange: (next: AuditFilterValues) => void;
  members: Array<Schemas['Member']>;
}) {
  const set = (key: keyof AuditFilterValues) => (event: { target: { value: string } }) => onChange({ ...value, [key]: event.target.value });
  return (
    <form className="inline-form" aria-label="Filter the audit log" onSubmit={(event) => event.preventDefault()}>
      <label>
        Who
        <select value={value.actorId} onChange={set('actorId')}>
          <option value="">Anyone</option>
          {members.map((member) => (
            <option key={member.id} value={member.id}>
              {member.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Action
        <input value={value.action} onChange={set('action')} placeholder="e.g. contact.update" />
      </label>
      <label>
        Object type
        <input value={value.objectType} onChange={set('objectType')} placeholder="e.g. contact" />
      </label>
      <label>
        Object id
        <input value={value.objectId} onChange={set('objectId')} />
      </label>
      <label>
        From
        <input type="date" value={value.from} onChange={set('from')} />
      </label>
      <label>
        To
        <input type="date" value={value.to} onChange={set('to')} />
      </label>
    </form>
  );
}

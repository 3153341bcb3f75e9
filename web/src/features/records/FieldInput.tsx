import { labelOf } from '../../ui/labels.ts';
import { MemberSelect } from '../members/MemberSelect.tsx';
import { AccountPicker } from './AccountPicker.tsx';
import type { Field } from './objects.ts';

/** One standard field of a record form, as the input its type calls for. */
export function FieldInput<R>({ field, value, onChange }: { field: Field<R>; value: string; onChange(value: string): void }) {
  const id = `field-${field.key}`;
  return (
    <label htmlFor={id}>
      <span>{field.label}</span>
      {field.type === 'select' ? (
        <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
          <option value="">—</option>
          {(field.options ?? []).map((option) => (
            <option key={option} value={option}>
              {labelOf(option)}
            </option>
          ))}
        </select>
      ) : field.type === 'account' ? (
        <AccountPicker id={id} value={value} onChange={onChange} />
      ) : field.type === 'member' ? (
        <MemberSelect id={id} value={value} onChange={onChange} />
      ) : (
        <input
          id={id}
          type={field.type === 'date' ? 'date' : field.type === 'number' ? 'number' : 'text'}
          value={value}
          required={field.required}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </label>
  );
}

import type { CustomField } from './useCustomFields.ts';

/** One custom field as a form control: the value it holds is what the API stores (string, number, boolean, list). */
export function CustomFieldInput({ field, value, onChange }: { field: CustomField; value: unknown; onChange: (next: unknown) => void }) {
  const id = `custom-${field.key}`;
  if (field.type === 'boolean')
    return (
      <label htmlFor={id} className="checkbox">
        <input id={id} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} /> {field.label}
      </label>
    );
  if (field.type === 'multi_select') {
    const chosen = Array.isArray(value) ? (value as string[]) : [];
    return (
      <fieldset>
        <legend>{field.label}</legend>
        {field.options.map((option) => (
          <label key={option} className="checkbox">
            <input
              type="checkbox"
              checked={chosen.includes(option)}
              onChange={(event) => onChange(event.target.checked ? [...chosen, option] : chosen.filter((o) => o !== option))}
            />{' '}
            {option}
          </label>
        ))}
      </fieldset>
    );
  }
  const text = value === undefined || value === null ? '' : String(value);
  return (
    <label htmlFor={id}>
      <span>
        {field.label}
        {field.personal && ' (personal data)'}
      </span>
      {field.type === 'single_select' ? (
        <select id={id} value={text} onChange={(event) => onChange(event.target.value || null)}>
          <option value="">—</option>
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={field.type === 'number' ? 'number' : field.type === 'date' ? 'date' : 'text'}
          maxLength={field.type === 'text' ? 2000 : undefined}
          value={text}
          onChange={(event) => {
            const raw = event.target.value;
            onChange(raw === '' ? null : field.type === 'number' ? Number(raw) : raw);
          }}
        />
      )}
    </label>
  );
}

import { FIELD_CHOICES, type Draft } from './formDraft.ts';

/** Which fields the form asks besides the e-mail, and which of them are required. */
export function FieldChoices({ fields, onChange }: { fields: Draft['fields']; onChange(fields: Draft['fields']): void }) {
  const toggleField = (key: Draft['fields'][number]['key'], label: string, on: boolean) =>
    onChange(on ? [...fields, { key, label, required: false }] : fields.filter((f) => f.key !== key));
  return (
    <fieldset>
      <legend>Fields (email is always asked)</legend>
      {FIELD_CHOICES.map((choice) => {
        const field = fields.find((f) => f.key === choice.key);
        return (
          <div key={choice.key}>
            <label className="check">
              <input type="checkbox" checked={Boolean(field)} onChange={(e) => toggleField(choice.key, choice.label, e.target.checked)} />{' '}
              {choice.label}
            </label>
            {field && (
              <label className="check">
                <input
                  type="checkbox"
                  checked={field.required}
                  onChange={(e) => onChange(fields.map((f) => (f.key === choice.key ? { ...f, required: e.target.checked } : f)))}
                />{' '}
                required
              </label>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

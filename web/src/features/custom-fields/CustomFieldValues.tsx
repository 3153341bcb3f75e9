import { shownValue, useCustomFields, type RecordType } from './useCustomFields.ts';

/** A record's custom fields on its page, as definition list entries next to the standard fields. */
export function CustomFieldValues({ object, values }: { object: RecordType; values: Record<string, unknown> | undefined }) {
  const { fields } = useCustomFields(object);
  return (
    <>
      {fields.map((field) => (
        <div key={field.id} data-custom-field={field.key}>
          <dt>{field.label}</dt>
          <dd>{shownValue(field, values?.[field.key])}</dd>
        </div>
      ))}
    </>
  );
}

import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CustomFieldInput } from '../custom-fields/CustomFieldInput.tsx';
import { useCustomFields } from '../custom-fields/useCustomFields.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { FieldInput } from './FieldInput.tsx';
import { fromFormValue, toFormValue } from './formValues.ts';
import type { ObjectSpec } from './objects.ts';
import type { CrmRecord, RecordBody } from './recordApis.ts';

interface Props<R extends CrmRecord> {
  spec: ObjectSpec<R>;
  /** The record edited; a new one is created without it. */
  record?: R;
  /** Values a new record starts with (an account's contact starts at that account). */
  initial?: Partial<Record<keyof R & string, unknown>>;
  onSaved(record: R): void;
  onCancel(): void;
}

/** A record's standard and custom fields, created or changed in one request. */
export function RecordForm<R extends CrmRecord>({ spec, record, initial, onSaved, onCancel }: Props<R>) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(spec.fields.map((field) => [field.key, toFormValue(record?.[field.key] ?? initial?.[field.key])])),
  );
  const [custom, setCustom] = useState<Record<string, unknown>>(() => ({ ...(record?.custom ?? {}) }));
  const customFields = useCustomFields(spec.recordType).fields;
  const save = useMutation({
    mutationFn: (body: RecordBody) => (record ? spec.api.update(record.id, body) : spec.api.create(body)),
    onSuccess: onSaved,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const body: RecordBody = {};
    // Custom values: an emptied field is sent as null (removed); on create, empty ones are left out.
    const customBody = Object.fromEntries(
      customFields
        .map((field) => [field.key, custom[field.key] ?? null] as const)
        .filter(([key, value]) => (record ? value !== null || record.custom[key] !== undefined : value !== null)),
    );
    if (Object.keys(customBody).length > 0) body.custom = customBody;
    for (const field of spec.fields) {
      const value = fromFormValue(field, values[field.key] ?? '');
      // On create, empty optional fields are simply left out.
      if (!record && (value === null || (Array.isArray(value) && value.length === 0))) continue;
      body[field.key] = value;
    }
    save.mutate(body);
  }

  return (
    <form className="record-form" onSubmit={submit} aria-label={`${record ? 'Edit' : 'New'} ${spec.singular.toLowerCase()}`}>
      {spec.fields.map((field) => (
        <FieldInput
          key={field.key}
          field={field}
          value={values[field.key] ?? ''}
          onChange={(next) => setValues((current) => ({ ...current, [field.key]: next }))}
        />
      ))}
      {customFields.map((field) => (
        <CustomFieldInput
          key={field.id}
          field={field}
          value={custom[field.key]}
          onChange={(next) => setCustom((current) => ({ ...current, [field.key]: next }))}
        />
      ))}
      <ErrorMessage error={save.error} />
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { labelOf } from '../../ui/labels.ts';
import type { CustomField, RecordType } from './useCustomFields.ts';

const TYPES: Array<CustomField['type']> = ['text', 'number', 'date', 'boolean', 'single_select', 'multi_select'];
/** A key the API accepts, from the label: "Preferred language" → preferred_language. */
const keyOf = (label: string) =>
  label
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 40);

export function NewCustomFieldForm({ object, onCreated }: { object: RecordType; onCreated: () => void }) {
  const [label, setLabel] = useState('');
  const [key, setKey] = useState('');
  const [type, setType] = useState<CustomField['type']>('text');
  const [options, setOptions] = useState('');
  const [personal, setPersonal] = useState(false);
  const people = object === 'contact' || object === 'lead';
  const selectable = type === 'single_select' || type === 'multi_select';
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/v1/custom-fields', {
          body: {
            object,
            label: label.trim(),
            key: key || keyOf(label),
            type,
            ...(selectable
              ? {
                  options: options
                    .split(',')
                    .map((option) => option.trim())
                    .filter(Boolean),
                }
              : {}),
            ...(people ? { personal } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setLabel('');
      setKey('');
      setOptions('');
      setPersonal(false);
      onCreated();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="new-field-heading">
      <h2 id="new-field-heading">New field on {object}s</h2>
      <form className="stacked-form" aria-label="New custom field" onSubmit={submit}>
        <label>
          Label
          <input value={label} maxLength={100} required onChange={(event) => setLabel(event.target.value)} />
        </label>
        <label>
          Key (used by the API and imports)
          <input
            value={key}
            placeholder={keyOf(label) || 'e.g. preferred_language'}
            maxLength={40}
            onChange={(event) => setKey(event.target.value)}
          />
        </label>
        <label>
          Type
          <select value={type} onChange={(event) => setType(event.target.value as CustomField['type'])}>
            {TYPES.map((candidate) => (
              <option key={candidate} value={candidate}>
                {labelOf(candidate)}
              </option>
            ))}
          </select>
        </label>
        {selectable && (
          <label>
            Options (comma-separated)
            <input value={options} required onChange={(event) => setOptions(event.target.value)} />
          </label>
        )}
        {people && (
          <label className="checkbox">
            <input type="checkbox" checked={personal} onChange={(event) => setPersonal(event.target.checked)} /> Personal data (encrypted,
            in access reports and erasure)
          </label>
        )}
        <button type="submit" disabled={create.isPending}>
          Add field
        </button>
        <ErrorMessage error={create.error} />
      </form>
    </section>
  );
}

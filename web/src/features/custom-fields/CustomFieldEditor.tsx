import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { labelOf } from '../../ui/labels.ts';
import type { CustomField } from './useCustomFields.ts';

const hasOptions = (field: CustomField) => field.type === 'single_select' || field.type === 'multi_select';

/** One row of the custom fields table: its label and options edited in place. */
export function CustomFieldEditor({ field, onSaved, children }: { field: CustomField; onSaved: () => void; children: ReactNode }) {
  const [label, setLabel] = useState(field.label);
  const [options, setOptions] = useState(field.options.join(', '));
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        client.PATCH('/api/v1/custom-fields/{id}', {
          params: { path: { id: field.id } },
          body: {
            label: label.trim(),
            ...(hasOptions(field)
              ? {
                  options: options
                    .split(',')
                    .map((option) => option.trim())
                    .filter(Boolean),
                }
              : {}),
          },
        }),
      ),
    onSuccess: onSaved,
  });
  const changed = label !== field.label || options !== field.options.join(', ');
  return (
    <tr>
      <td>
        <input aria-label={`Label of ${field.key}`} value={label} maxLength={100} onChange={(event) => setLabel(event.target.value)} />
      </td>
      <td>
        <code>{field.key}</code>
      </td>
      <td>{labelOf(field.type)}</td>
      <td>
        {hasOptions(field) ? (
          <input aria-label={`Options of ${field.key}`} value={options} onChange={(event) => setOptions(event.target.value)} />
        ) : (
          '—'
        )}
      </td>
      <td>{field.personal ? 'Yes (encrypted)' : 'No'}</td>
      <td className="actions">
        <button type="button" className="secondary" disabled={!changed || save.isPending} onClick={() => save.mutate()}>
          Save
        </button>
        {children}
        <ErrorMessage error={save.error} />
      </td>
    </tr>
  );
}

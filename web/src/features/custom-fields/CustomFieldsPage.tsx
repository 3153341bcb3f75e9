import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { labelOf } from '../../ui/labels.ts';
import { CustomFieldEditor } from './CustomFieldEditor.tsx';
import { NewCustomFieldForm } from './NewCustomFieldForm.tsx';
import { useCustomFields, type RecordType } from './useCustomFields.ts';

const OBJECTS: RecordType[] = ['contact', 'lead', 'account', 'opportunity'];

/** The custom fields of each object: added, renamed, given options, reordered, archived. */
export function CustomFieldsPage() {
  const [object, setObject] = useState<RecordType>('contact');
  const queryClient = useQueryClient();
  const { fields, error, isPending } = useCustomFields(object);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['custom-fields'] });
  const archive = useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE('/api/v1/custom-fields/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  return (
    <main>
      <h1>Custom fields</h1>
      <div role="tablist" aria-label="Object" className="tabs">
        {OBJECTS.map((candidate) => (
          <button
            key={candidate}
            type="button"
            role="tab"
            aria-selected={candidate === object}
            className={candidate === object ? undefined : 'secondary'}
            onClick={() => setObject(candidate)}
          >
            {labelOf(candidate)}s
          </button>
        ))}
      </div>
      <ErrorMessage error={error ?? archive.error} />
      <div className="table-scroll">
        <table aria-label={`Custom fields of ${object}s`}>
          <thead>
            <tr>
              <th>Label</th>
              <th>Key</th>
              <th>Type</th>
              <th>Options</th>
              <th>Personal data</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {fields.map((field) => (
              <CustomFieldEditor key={field.id} field={field} onSaved={refresh}>
                <ConfirmButton
                  label="Archive"
                  title={`Archive the field “${field.label}”?`}
                  confirmLabel="Archive field"
                  onConfirm={() => archive.mutate(field.id)}
                >
                  <p>The field disappears from forms and record pages. Values already stored are kept (and stay in access reports).</p>
                </ConfirmButton>
              </CustomFieldEditor>
            ))}
          </tbody>
        </table>
      </div>
      {!isPending && fields.length === 0 && <p className="muted">No custom fields on {object}s yet.</p>}
      <NewCustomFieldForm key={object} object={object} onCreated={refresh} />
    </main>
  );
}

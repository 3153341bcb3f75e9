import { useState } from 'react';
import { byId, client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { CookieBanner } from './CookieBanner.tsx';
import { FormBuilder } from './FormBuilder.tsx';
import { draftOf, NEW_FORM, type Draft, type FormBody } from './formDraft.ts';
import { FormRow } from './FormRow.tsx';

/** Forms: list, builder with live preview, publishing, and the cookie banner. */
export function FormsPage() {
  const { data, error, act, run } = usePageData(['forms'], (signal) => unwrap(client.GET('/api/v1/forms', { signal })));
  const [editing, setEditing] = useState<Draft | null>(null);
  const save = async (id: string | undefined, body: FormBody) => {
    await run(() =>
      id ? unwrap(client.PATCH('/api/v1/forms/{id}', { ...byId(id), body })) : unwrap(client.POST('/api/v1/forms', { body })),
    );
    setEditing(null);
  };
  return (
    <main className="wide">
      <header className="page-header">
        <h1>Forms</h1>
        <button onClick={() => setEditing({ ...NEW_FORM })}>New form</button>
      </header>
      {/* While the builder is open, a refusal is shown beside its Save button. */}
      <ErrorMessage error={editing ? null : error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Version</th>
              <th>Submissions</th>
              <th>Links</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((form) => (
              <FormRow
                key={form.id}
                form={form}
                onEdit={() => setEditing(draftOf(form))}
                onStatus={(status) => act(() => unwrap(client.PATCH('/api/v1/forms/{id}', { ...byId(form.id), body: { status } })))()}
              />
            ))}
          </tbody>
        </table>
      </div>
      {editing && <FormBuilder key={editing.id ?? 'new'} initial={editing} onSave={save} error={error} />}
      <CookieBanner />
    </main>
  );
}

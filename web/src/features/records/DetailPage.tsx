import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { navigate } from '../../router.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { SyncPanel } from '../integrations/SyncPanel.tsx';
import { TaskList } from '../tasks/TaskList.tsx';
import { Timeline } from '../timeline/Timeline.tsx';
import type { ObjectSpec } from './objects.ts';
import type { CrmRecord } from './recordApis.ts';
import { RecordFields } from './RecordFields.tsx';
import { RecordForm } from './RecordForm.tsx';

interface Props<R extends CrmRecord> {
  spec: ObjectSpec<R>;
  id: string;
  memberId: string;
  /** What the object adds to its page: a lead's Convert button, an account's contacts, a person's consents. */
  actions?(record: R): ReactNode;
  related?(record: R): ReactNode;
}

/** A record's page: its fields (or the editor), what the object adds, sync state, timeline and tasks. */
export function DetailPage<R extends CrmRecord>({ spec, id, memberId, actions, related }: Props<R>) {
  const queryClient = useQueryClient();
  const key = [spec.path, id];
  const [editing, setEditing] = useState(false);
  const record = useQuery({ queryKey: key, queryFn: ({ signal }) => spec.api.get(id, signal) });
  const remove = useMutation({
    mutationFn: () => spec.api.remove(id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: key });
      navigate(spec.path);
    },
  });

  if (record.error)
    return (
      <main>
        <ErrorMessage error={record.error} />
      </main>
    );
  if (!record.data) return <main className="muted">Loading…</main>;
  const shown = record.data;
  return (
    <main>
      <header className="page-header">
        <h1>{spec.title(shown)}</h1>
        <div className="actions">
          {actions?.(shown)}
          <button className="secondary" onClick={() => setEditing(!editing)}>
            {editing ? 'Close editor' : 'Edit'}
          </button>
          <ConfirmButton
            label="Delete"
            title={`Delete ${spec.title(shown)}?`}
            confirmLabel={`Delete ${spec.singular.toLowerCase()}`}
            onConfirm={() => remove.mutate()}
          >
            <p>The {spec.singular.toLowerCase()} is deleted with its notes and tasks. The audit trail keeps that it existed.</p>
          </ConfirmButton>
        </div>
      </header>
      <ErrorMessage error={remove.error} />
      {editing ? (
        <RecordForm
          key={shown.updatedAt}
          spec={spec}
          record={shown}
          onSaved={(saved) => {
            queryClient.setQueryData(key, saved);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <RecordFields
          spec={spec}
          record={shown}
          onSave={async (body) => {
            queryClient.setQueryData(key, await spec.api.update(id, body));
            void queryClient.invalidateQueries({ queryKey: ['timeline', spec.recordType, id] });
          }}
        />
      )}
      {related?.(shown)}
      <SyncPanel recordType={spec.recordType} recordId={id} />
      <div className="columns">
        <Timeline recordType={spec.recordType} recordId={id} />
        <TaskList record={{ type: spec.recordType, id }} memberId={memberId} />
      </div>
    </main>
  );
}

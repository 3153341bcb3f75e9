import type { Schemas } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { NewTaskForm } from './NewTaskForm.tsx';
import { TaskGroup } from './TaskGroup.tsx';
import { useTaskActions } from './useTaskActions.ts';

/** A record's tasks, with a form to add one to it (assigned to the member adding it). */
export function TaskList({ record, memberId }: { record: Schemas['RecordRef']; memberId: string }) {
  const actions = useTaskActions();
  return (
    <section aria-label="Tasks">
      <h2>Tasks</h2>
      <NewTaskForm onSubmit={(task) => actions.add({ ...task, record, assigneeId: memberId })} />
      <ErrorMessage error={actions.error} />
      <TaskGroup
        filter={{ recordType: record.type, recordId: record.id }}
        empty="No tasks."
        onToggle={actions.toggle}
        onRemove={actions.remove}
      />
    </section>
  );
}

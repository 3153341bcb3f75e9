import { useState } from 'react';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { NewTaskForm } from './NewTaskForm.tsx';
import { startOfDay } from './taskFilter.ts';
import { TaskGroup } from './TaskGroup.tsx';
import { useTaskActions } from './useTaskActions.ts';

/**
 * The signed-in member's open tasks by when they are due: overdue (highlighted), today, upcoming,
 * and without a date; "today" is the member's own calendar day. Done tasks on request.
 */
export function TasksPage({ memberId }: { memberId: string }) {
  const [showDone, setShowDone] = useState(false);
  const actions = useTaskActions();
  const mine = { assigneeId: memberId, done: 'false' } as const;
  const [today, tomorrow] = [startOfDay(0), startOfDay(1)];
  const group = { onToggle: actions.toggle, onRemove: actions.remove };
  return (
    <main>
      <header className="page-header">
        <h1>My tasks</h1>
        <label>
          <input type="checkbox" checked={showDone} onChange={(event) => setShowDone(event.target.checked)} /> show done
        </label>
      </header>
      <NewTaskForm onSubmit={(task) => actions.add({ ...task, assigneeId: memberId })} />
      <ErrorMessage error={actions.error} />
      <TaskGroup title="Overdue" tone="overdue" filter={{ ...mine, dueBefore: today }} empty="Nothing overdue." {...group} />
      <TaskGroup title="Today" filter={{ ...mine, dueAfter: today, dueBefore: tomorrow }} empty="Nothing due today." {...group} />
      <TaskGroup title="Upcoming" filter={{ ...mine, dueAfter: tomorrow }} empty="Nothing coming up." {...group} />
      <TaskGroup title="No due date" filter={{ ...mine, undated: 'true' }} empty="None." {...group} />
      {showDone && <TaskGroup title="Done" filter={{ assigneeId: memberId, done: 'true' }} empty="None yet." {...group} />}
    </main>
  );
}

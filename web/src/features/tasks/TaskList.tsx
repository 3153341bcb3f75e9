import { useState, type FormEvent } from 'react';
import { client, unwrap, type Schemas } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { TaskItem } from './TaskItem.tsx';

export interface TaskFilter {
  assigneeId?: string;
  done?: 'true' | 'false';
  recordType?: Schemas['RecordRef']['type'];
  recordId?: string;
}

const byId = (id: string) => ({ params: { path: { id } } });

/** Tasks matching the filter (a member's, or a record's), with a form to add one there. */
export function TaskList({ filter, memberId }: { filter: TaskFilter; memberId?: string }) {
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const { data, error, act, run } = usePageData(['tasks', filter], (signal) =>
    unwrap(client.GET('/api/v1/tasks', { params: { query: { ...filter, limit: 100 } }, signal })),
  );
  async function add(event: FormEvent) {
    event.preventDefault();
    const record = filter.recordType && filter.recordId ? { type: filter.recordType, id: filter.recordId } : undefined;
    const body = {
      title,
      ...(due ? { dueAt: new Date(due).toISOString() } : {}),
      ...(record ? { record } : {}),
      ...(memberId ? { assigneeId: memberId } : {}),
    };
    await run(() => unwrap(client.POST('/api/v1/tasks', { body })));
    setTitle('');
    setDue('');
  }
  const tasks = data?.items ?? [];
  return (
    <section aria-label="Tasks">
      <h2>Tasks</h2>
      <form className="inline" onSubmit={(event) => void add(event).catch(() => undefined)}>
        <input aria-label="Task title" placeholder="New task…" value={title} onChange={(event) => setTitle(event.target.value)} required />
        <input aria-label="Due" type="datetime-local" value={due} onChange={(event) => setDue(event.target.value)} />
        <button type="submit">Add task</button>
      </form>
      <ErrorMessage error={error} />
      <ul className="tasks">
        {tasks.map((task) => (
          <TaskItem
            key={task.id}
            task={task}
            onToggle={act(() => unwrap(client.PATCH('/api/v1/tasks/{id}', { ...byId(task.id), body: { done: !task.done } })))}
            onRemove={act(() => unwrap(client.DELETE('/api/v1/tasks/{id}', byId(task.id))))}
          />
        ))}
        {data && tasks.length === 0 && <li className="muted">No tasks.</li>}
      </ul>
    </section>
  );
}

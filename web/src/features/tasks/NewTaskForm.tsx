import { useState, type FormEvent } from 'react';
import type { BodyOf } from '../../api/client.ts';
import { accepted } from '../../api/accepted.ts';

type TaskBody = BodyOf<'/api/v1/tasks'>;

/** A task's title and when it is due; the list it is added from says whom and what it is for. */
export function NewTaskForm({ onSubmit }: { onSubmit(task: Pick<TaskBody, 'title' | 'dueAt'>): Promise<unknown> }) {
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    // datetime-local is the member's own clock; the API takes the instant in UTC.
    if (await accepted(onSubmit({ title, ...(due ? { dueAt: new Date(due).toISOString() } : {}) }))) {
      setTitle('');
      setDue('');
    }
  }
  return (
    <form className="inline" onSubmit={(event) => void submit(event)}>
      <input aria-label="Task title" placeholder="New task…" value={title} onChange={(event) => setTitle(event.target.value)} required />
      <input aria-label="Due" type="datetime-local" value={due} onChange={(event) => setDue(event.target.value)} />
      <button type="submit">Add task</button>
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import type { BodyOf } from '../../api/client.ts';
import { accepted } from '../../api/accepted.ts';

type TaskBody = BodyOf<'/api/v1/tasks'>;

/** When to be reminded of a task with a due time, in minutes before it (server: reminderMinutes). */
const REMINDERS = [
  { minutes: '0', label: 'Remind at due time' },
  { minutes: '15', label: '15 minutes before' },
  { minutes: '60', label: '1 hour before' },
  { minutes: '1440', label: '1 day before' },
  { minutes: '', label: 'No reminder' },
];

/** A task's title, when it is due and when to be reminded; the list it is added from says whom and what it is for. */
export function NewTaskForm({ onSubmit }: { onSubmit(task: Pick<TaskBody, 'title' | 'dueAt' | 'reminderMinutes'>): Promise<unknown> }) {
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [reminder, setReminder] = useState('0');
  async function submit(event: FormEvent) {
    event.preventDefault();
    // datetime-local is the member's own clock; the API takes the instant in UTC.
    const when = due ? { dueAt: new Date(due).toISOString(), reminderMinutes: reminder === '' ? null : Number(reminder) } : {};
    if (await accepted(onSubmit({ title, ...when }))) {
      setTitle('');
      setDue('');
    }
  }
  return (
    <form className="inline" onSubmit={(event) => void submit(event)}>
      <input aria-label="Task title" placeholder="New task…" value={title} onChange={(event) => setTitle(event.target.value)} required />
      <input aria-label="Due" type="datetime-local" value={due} onChange={(event) => setDue(event.target.value)} />
      {due && (
        <select aria-label="Reminder" value={reminder} onChange={(event) => setReminder(event.target.value)}>
          {REMINDERS.map((option) => (
            <option key={option.minutes} value={option.minutes}>
              {option.label}
            </option>
          ))}
        </select>
      )}
      <button type="submit">Add task</button>
    </form>
  );
}

import type { Schemas } from '../../api/client.ts';
import { dateTime } from '../../ui/labels.ts';
import { RecordLink } from '../records/RecordLink.tsx';

interface Props {
  task: Schemas['Task'];
  onToggle(): void;
  onRemove(): void;
}

/** One task: done box, title, when it is due, the record it is about, delete. */
export function TaskItem({ task, onToggle, onRemove }: Props) {
  return (
    <li className={task.done ? 'done' : ''}>
      <label>
        <input type="checkbox" checked={task.done} onChange={onToggle} /> {task.title}
      </label>
      {task.dueAt && <time dateTime={task.dueAt}> due {dateTime(task.dueAt)}</time>}
      {task.record && (
        <>
          {' '}
          · <RecordLink record={task.record} name={task.recordName} />
        </>
      )}
      <button type="button" className="link" onClick={onRemove} aria-label={`Delete task ${task.title}`}>
        ×
      </button>
    </li>
  );
}

import { client, unwrap, type Schemas } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { LoadMore } from '../../ui/LoadMore.tsx';
import type { TaskFilter } from './taskFilter.ts';
import { TaskItem } from './TaskItem.tsx';

interface Props {
  /** The group's heading ("Today"); a record's tasks have none. */
  title?: string;
  filter: TaskFilter;
  /** Marks the group's tasks (overdue ones are highlighted). */
  tone?: 'overdue';
  empty: string;
  onToggle(task: Schemas['Task']): void;
  onRemove(task: Schemas['Task']): void;
}

/** The tasks matching a filter, soonest due first, fifty at a time with "Load more" (never silently cut). */
export function TaskGroup({ title, filter, tone, empty, onToggle, onRemove }: Props) {
  const list = usePagedList(['tasks', filter], (cursor, signal) =>
    unwrap(client.GET('/api/v1/tasks', { params: { query: { ...filter, limit: 50, cursor } }, signal })),
  );
  const count = `${list.items.length}${list.hasMore ? '+' : ''}`;
  const items = (
    <>
      <ErrorMessage error={list.error} />
      <ul className={tone ? `tasks ${tone}` : 'tasks'}>
        {list.items.map((task) => (
          <TaskItem key={task.id} task={task} onToggle={() => onToggle(task)} onRemove={() => onRemove(task)} />
        ))}
        {!list.isPending && list.items.length === 0 && <li className="muted">{empty}</li>}
      </ul>
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </>
  );
  if (!title) return items;
  return (
    <section aria-label={title}>
      <h2>
        {title} <span className="muted">({list.isPending ? '…' : count})</span>
      </h2>
      {items}
    </section>
  );
}

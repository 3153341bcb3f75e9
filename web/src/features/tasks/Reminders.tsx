import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { byId, client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { recordHref } from '../../ui/recordHref.ts';

/** How often the app asks whether a reminder has come: the server's job mails them every minute too. */
const EVERY = 60_000;

/** The member's reminders that have come, on every page until done or closed (server: src/crm/task-reminders.ts). */
export function Reminders() {
  const queryClient = useQueryClient();
  const reminders = useQuery({
    queryKey: ['tasks', 'reminding'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/tasks', { params: { query: { reminding: 'true', limit: 20 } }, signal })),
    refetchInterval: EVERY,
  });
  const change = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['tasks'] }),
  });
  const items = reminders.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section className="reminders" aria-label="Reminders">
      <ul>
        {items.map((task) => (
          <li key={task.id}>
            <strong>{task.title}</strong> — due {new Date(task.dueAt!).toLocaleString()}
            {task.record && task.recordName && (
              <>
                {' '}
                · <a href={recordHref(task.record.type, task.record.id) ?? undefined}>{task.recordName}</a>
              </>
            )}
            <button
              type="button"
              className="secondary"
              onClick={() => change.mutate(() => unwrap(client.PATCH('/api/v1/tasks/{id}', { ...byId(task.id), body: { done: true } })))}
            >
              Done
            </button>
            <button
              type="button"
              className="link"
              aria-label={`Close the reminder of ${task.title}`}
              onClick={() => change.mutate(() => unwrap(client.POST('/api/v1/tasks/{id}/dismiss-reminder', byId(task.id))))}
            >
              Close
            </button>
          </li>
        ))}
      </ul>
      <ErrorMessage error={change.error} />
    </section>
  );
}

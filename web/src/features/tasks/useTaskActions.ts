import { useMutation, useQueryClient } from '@tanstack/react-query';
import { byId, client, unwrap, type BodyOf, type Schemas } from '../../api/client.ts';

/** Adding, ticking and deleting tasks; every list of tasks shows the change. */
export function useTaskActions() {
  const queryClient = useQueryClient();
  // A task set or done on a record shows on the record's timeline too.
  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: ['tasks'] }), queryClient.invalidateQueries({ queryKey: ['timeline'] })]);
  const change = useMutation({ mutationFn: (fn: () => Promise<unknown>) => fn(), onSettled: refresh });
  return {
    error: change.error,
    add: (task: BodyOf<'/api/v1/tasks'>) => change.mutateAsync(() => unwrap(client.POST('/api/v1/tasks', { body: task }))),
    toggle: (task: Schemas['Task']) =>
      change.mutate(() => unwrap(client.PATCH('/api/v1/tasks/{id}', { ...byId(task.id), body: { done: !task.done } }))),
    remove: (task: Schemas['Task']) => change.mutate(() => unwrap(client.DELETE('/api/v1/tasks/{id}', byId(task.id)))),
  };
}

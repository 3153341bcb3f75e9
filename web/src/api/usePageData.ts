import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { FormEvent } from 'react';

/**
 * A page's data read through TanStack Query, and its actions: each action clears the last error,
 * runs, then refetches the page's data (everything under the key), or shows what went wrong.
 * `act(fn)` is usable as a form's onSubmit or a button's onClick; `run(fn)` is the same action as
 * a promise, for a form that empties itself once the server accepted it.
 */
export function usePageData<T>(key: QueryKey, load: (signal: AbortSignal) => Promise<T>) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: key, queryFn: ({ signal }) => load(signal) });
  const action = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const act = (fn: () => Promise<unknown>) => (event?: FormEvent) => {
    event?.preventDefault();
    action.mutate(fn);
  };
  const run = (fn: () => Promise<unknown>) => action.mutateAsync(fn);
  return { data: query.data, error: action.error ?? query.error, act, run, busy: action.isPending };
}

import { useQuery } from '@tanstack/react-query';
import { client, unwrap, type Schemas } from '../../api/client.ts';

export type Purpose = Schemas['Purpose'];

/** The workspace's purposes of processing, shared by every screen that offers a choice of them. */
export function usePurposes() {
  const purposes = useQuery({
    queryKey: ['purposes'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/purposes', { signal })),
  });
  return { purposes: purposes.data?.items ?? [], error: purposes.error };
}

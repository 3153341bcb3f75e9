import { useQuery } from '@tanstack/react-query';
import { byId, client, unwrap, type BodyOf, type Schemas } from '../../api/client.ts';

export type View = Schemas['View'];
export type ViewObject = View['object'];

/** The views of a list: the defaults, the member's own and those shared with the workspace. */
export function useViews(object: ViewObject) {
  const query = useQuery({
    queryKey: ['views', object],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/views', { params: { query: { object } }, signal })),
  });
  return { views: query.data?.items ?? [], error: query.error };
}

export const saveView = (body: BodyOf<'/api/v1/views'>) => unwrap(client.POST('/api/v1/views', { body }));
export const removeView = (id: string) => unwrap(client.DELETE('/api/v1/views/{id}', byId(id)));

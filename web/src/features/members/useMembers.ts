import { useQuery } from '@tanstack/react-query';
import { client, unwrap, type Schemas } from '../../api/client.ts';

export type Member = Schemas['Member'];

/** The workspace's members (every role may read them), fetched once and shared: names for owners and assignees. */
export function useMembers() {
  const members = useQuery({
    queryKey: ['members', 'all'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/members', { params: { query: { limit: 200 } }, signal })),
    staleTime: 60_000,
  });
  const items = members.data?.items ?? [];
  const names = new Map(items.map((member) => [member.id, member.name]));
  return { members: items, error: members.error, nameOf: (id: string | null | undefined) => (id ? (names.get(id) ?? '') : '') };
}

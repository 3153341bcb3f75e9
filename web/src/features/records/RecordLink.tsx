import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '../../api/client.ts';
import { fetchTitle, OBJECTS, type RecordPath } from './objects.ts';

const PATHS: Record<Schemas['RecordRef']['type'], RecordPath> = {
  account: 'accounts',
  contact: 'contacts',
  lead: 'leads',
  opportunity: 'opportunities',
};

/**
 * A link to a record named as on its page ("Keeley Schultz"), not "open contact". The name comes
 * with the list when the server sends it (tasks: recordName); otherwise it is fetched once per record.
 */
export function RecordLink({ record, name }: { record: Schemas['RecordRef']; name?: string | null | undefined }) {
  const path = PATHS[record.type];
  const title = useQuery({
    queryKey: ['titles', path, record.id],
    queryFn: ({ signal }) => fetchTitle(path, record.id, signal),
    enabled: name === undefined,
  });
  const shown = name ?? (name === null ? OBJECTS[path].singular : (title.data ?? (title.isError ? OBJECTS[path].singular : '…')));
  return <a href={`#/${path}/${record.id}`}>{shown}</a>;
}

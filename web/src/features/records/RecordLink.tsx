import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '../../api/client.ts';
import { fetchTitle, OBJECTS, type RecordPath } from './objects.ts';

const PATHS: Record<Schemas['RecordRef']['type'], RecordPath> = {
  account: 'accounts',
  contact: 'contacts',
  lead: 'leads',
  opportunity: 'opportunities',
};

/** A link to a record named as on its page ("Keeley Schultz"), not "open contact". */
export function RecordLink({ record }: { record: Schemas['RecordRef'] }) {
  const path = PATHS[record.type];
  const title = useQuery({
    queryKey: ['titles', path, record.id],
    queryFn: ({ signal }) => fetchTitle(path, record.id, signal),
  });
  return <a href={`#/${path}/${record.id}`}>{title.data ?? (title.isError ? OBJECTS[path].singular : '…')}</a>;
}

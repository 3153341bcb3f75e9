import { useQuery } from '@tanstack/react-query';
import { client, unwrap, type Schemas } from '../../api/client.ts';

export type CustomField = Schemas['CustomField'];
export type RecordType = CustomField['object'];

/** The live custom fields of one object, in their order. */
export function useCustomFields(object: RecordType) {
  const query = useQuery({
    queryKey: ['custom-fields', object],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/custom-fields', { params: { query: { object } }, signal })),
  });
  return { fields: [...(query.data?.items ?? [])].sort((a, b) => a.position - b.position), error: query.error, isPending: query.isPending };
}

/** A stored value as people read it. */
export function shownValue(field: CustomField, value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (field.type === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.join(', ') || '—';
  return String(value);
}

import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

/** How many records a retention rule would take now: the same dry run as the Dry run button. */
export function RunNowConfirmation({ ruleId, action }: { ruleId: string; action: string }) {
  const preview = useQuery({
    queryKey: ['retention-rules', ruleId, 'preview'],
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/retention-rules/{id}/preview', { params: { path: { id: ruleId }, query: { limit: 5000 } }, signal })),
    staleTime: 0,
  });
  if (preview.error) return <ErrorMessage error={preview.error} />;
  if (!preview.data) return <p className="muted">Counting the records…</p>;
  const count = `${preview.data.items.length}${preview.data.more ? '+' : ''}`;
  return (
    <p>
      <strong>{count}</strong> {preview.data.items.length === 1 ? 'record is' : 'records are'} {action} now. This cannot be undone.
    </p>
  );
}

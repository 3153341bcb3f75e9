import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

/** What a send will do, counted now by the same gate the send uses. */
export function SendConfirmation({ campaignId, name }: { campaignId: string; name: string }) {
  const preview = useQuery({
    queryKey: ['campaigns', campaignId, 'preview'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/campaigns/{id}/preview', { params: { path: { id: campaignId } }, signal })),
    staleTime: 0,
  });
  if (preview.error) return <ErrorMessage error={preview.error} />;
  if (!preview.data) return <p className="muted">Counting the audience…</p>;
  return (
    <p>
      “{name}” goes now to <strong>{preview.data.recipients}</strong> {preview.data.recipients === 1 ? 'person' : 'people'}. A sent e-mail
      cannot be called back.
    </p>
  );
}

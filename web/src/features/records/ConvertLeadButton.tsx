import { useMutation } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

/** Turns a lead into a contact (and its company into an account), then opens the contact. */
export function ConvertLeadButton({ leadId }: { leadId: string }) {
  const convert = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/leads/{id}/convert', { params: { path: { id: leadId } }, body: {} })),
    onSuccess: (result) => navigate(`contacts/${result.contactId}`),
  });
  return (
    <>
      <button onClick={() => convert.mutate()} disabled={convert.isPending}>
        Convert
      </button>
      <ErrorMessage error={convert.error} />
    </>
  );
}

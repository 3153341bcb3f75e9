import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

/**
 * Recovery codes: made right after enrolment and shown once; later, how many are left and a new
 * set (which voids the old one). Each signs in once in place of a code from the app.
 */
export function RecoveryCodes({ fresh }: { fresh: string[] | null }) {
  const queryClient = useQueryClient();
  const remaining = useQuery({
    queryKey: ['auth', 'recovery-codes'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/auth/totp/recovery-codes', { signal })),
  });
  const renew = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/auth/totp/recovery-codes')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['auth', 'recovery-codes'] }),
  });
  const codes = renew.data?.codes ?? fresh;
  return (
    <div>
      <h3>Recovery codes</h3>
      {codes ? (
        <div className="notice" role="status">
          <p>
            Save these codes somewhere safe (a password manager, or printed). Each one signs you in once if you lose your phone. They are
            not shown again.
          </p>
          <ol className="recovery-codes" aria-label="Recovery codes">
            {codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ol>
        </div>
      ) : (
        remaining.data && <p>{remaining.data.remaining} of 10 recovery codes unused.</p>
      )}
      <ConfirmButton
        label="Make new recovery codes"
        title="Make new recovery codes?"
        confirmLabel="Make new codes"
        onConfirm={() => renew.mutate()}
      >
        <p>Your current recovery codes stop working at once, and ten new ones are shown.</p>
      </ConfirmButton>
      <ErrorMessage error={remaining.error ?? renew.error} />
    </div>
  );
}

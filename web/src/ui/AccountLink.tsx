import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client.ts';

/** A link to an account, named: "Acme Ltd", not "open account". */
export function AccountLink({ id }: { id: string }) {
  const account = useQuery({
    queryKey: ['accounts', id],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/accounts/{id}', { params: { path: { id } }, signal })),
  });
  return <a href={`#/accounts/${id}`}>{account.data?.name ?? (account.isError ? 'Account' : '…')}</a>;
}

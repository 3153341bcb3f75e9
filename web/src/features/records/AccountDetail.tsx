import { AccountRelations } from './AccountRelations.tsx';
import { DetailPage } from './DetailPage.tsx';
import { OBJECTS } from './objects.ts';

/** An account's page, with its contacts and deals. */
export function AccountDetail({ id, memberId }: { id: string; memberId: string }) {
  return <DetailPage spec={OBJECTS.accounts} id={id} memberId={memberId} related={(account) => <AccountRelations account={account} />} />;
}

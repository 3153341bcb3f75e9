import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { OBJECTS } from './objects.ts';
import type { Account } from './recordApis.ts';
import { RecordForm } from './RecordForm.tsx';
import { RelatedList } from './RelatedList.tsx';
import { STAGE_LABELS } from './stages.ts';

/** On an account's page: its contacts (with a form to add one there) and its deals. */
export function AccountRelations({ account }: { account: Account }) {
  const queryClient = useQueryClient();
  const [addingContact, setAddingContact] = useState(false);
  const added = () => {
    setAddingContact(false);
    void queryClient.invalidateQueries({ queryKey: ['contacts', 'related'] });
  };
  return (
    <>
      <RelatedList title="Contacts" spec={OBJECTS.contacts} filter={{ accountId: account.id }} />
      {addingContact ? (
        <RecordForm
          spec={OBJECTS.contacts}
          initial={{ accountId: account.id, country: account.country }}
          onSaved={added}
          onCancel={() => setAddingContact(false)}
        />
      ) : (
        <button className="secondary" onClick={() => setAddingContact(true)}>
          Add contact at {account.name}
        </button>
      )}
      <RelatedList
        title="Opportunities"
        spec={OBJECTS.opportunities}
        filter={{ accountId: account.id }}
        detail={(deal) => `${STAGE_LABELS[deal.stage]} · ${deal.amount} ${deal.currency}`}
      />
    </>
  );
}

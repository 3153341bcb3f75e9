import { DetailPage } from './DetailPage.tsx';
import { OBJECTS } from './objects.ts';
import { RelatedList } from './RelatedList.tsx';

/** A deal's page, with the contacts on it. */
export function OpportunityDetail({ id, memberId }: { id: string; memberId: string }) {
  return (
    <DetailPage
      spec={OBJECTS.opportunities}
      id={id}
      memberId={memberId}
      related={(deal) => (
        <RelatedList
          key={deal.contactIds.join()}
          title="Contacts"
          spec={OBJECTS.contacts}
          filter={{ opportunityId: deal.id }}
          detail={(contact) => contact.jobTitle ?? contact.emails[0] ?? ''}
        />
      )}
    />
  );
}

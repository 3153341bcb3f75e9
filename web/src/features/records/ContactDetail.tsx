import { ConsentPanel } from '../consent/ConsentPanel.tsx';
import { DetailPage } from './DetailPage.tsx';
import { OBJECTS } from './objects.ts';
import { RelatedList } from './RelatedList.tsx';
import { STAGE_LABELS } from './stages.ts';

/** A contact's page, with their deals and their consents. */
export function ContactDetail({ id, memberId }: { id: string; memberId: string }) {
  return (
    <DetailPage
      spec={OBJECTS.contacts}
      id={id}
      memberId={memberId}
      related={() => (
        <>
          <RelatedList
            title="Opportunities"
            spec={OBJECTS.opportunities}
            filter={{ contactId: id }}
            detail={(deal) => `${STAGE_LABELS[deal.stage]} · ${deal.amount} ${deal.currency}`}
          />
          <ConsentPanel path="contacts" id={id} />
        </>
      )}
    />
  );
}

import { DetailPage } from './DetailPage.tsx';
import { OBJECTS } from './objects.ts';

/** A deal's page. */
export function OpportunityDetail({ id, memberId }: { id: string; memberId: string }) {
  return <DetailPage spec={OBJECTS.opportunities} id={id} memberId={memberId} />;
}

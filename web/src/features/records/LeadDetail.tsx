import { ConsentPanel } from '../consent/ConsentPanel.tsx';
import { ConvertLeadButton } from './ConvertLeadButton.tsx';
import { DetailPage } from './DetailPage.tsx';
import { OBJECTS } from './objects.ts';

/** A lead's page, with Convert until it is converted, and its consents. */
export function LeadDetail({ id, memberId }: { id: string; memberId: string }) {
  return (
    <DetailPage
      spec={OBJECTS.leads}
      id={id}
      memberId={memberId}
      actions={(lead) => lead.status !== 'converted' && <ConvertLeadButton leadId={lead.id} />}
      related={() => <ConsentPanel path="leads" id={id} />}
    />
  );
}

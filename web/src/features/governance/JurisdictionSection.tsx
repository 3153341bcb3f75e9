import type { ResponseOf } from '../../api/client.ts';

type Jurisdiction = ResponseOf<'/api/v1/register'>['jurisdictions'][number];

/** What one law asks of the workspace, and how many people it covers. */
export function JurisdictionSection({ jurisdiction }: { jurisdiction: Jurisdiction }) {
  return (
    <section aria-label={jurisdiction.name}>
      <h3>
        {jurisdiction.name} {jurisdiction.workspaceDefault && <span className="badge">default</span>}{' '}
        <span className="muted">{jurisdiction.people} people</span>
      </h3>
      <dl>
        <dt>Law</dt>
        <dd>{jurisdiction.law}</dd>
        <dt>Rights</dt>
        <dd>{jurisdiction.rights.map((right) => `${right.title} (${right.reference})`).join('; ')}</dd>
        <dt>Response deadline</dt>
        <dd>{jurisdiction.responseDeadline}</dd>
        <dt>Identity verification</dt>
        <dd>{jurisdiction.verification}</dd>
        <dt>Marketing</dt>
        <dd>{jurisdiction.marketing}</dd>
        <dt>Sale and sharing</dt>
        <dd>{jurisdiction.saleSharing}</dd>
        <dt>Breach notification</dt>
        <dd>{jurisdiction.breachNotification}</dd>
      </dl>
    </section>
  );
}

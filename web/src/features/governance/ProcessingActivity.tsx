import type { ResponseOf } from '../../api/client.ts';
import { labelOf } from '../../ui/labels.ts';

type Activity = ResponseOf<'/api/v1/register'>['activities'][number];

/** One record of processing activity as Art. 30(1) lists its contents. */
export function ProcessingActivity({ activity }: { activity: Activity }) {
  return (
    <section aria-label={activity.name}>
      <h2>{activity.name}</h2>
      <dl>
        <dt>Purpose</dt>
        <dd>{activity.purpose}</dd>
        <dt>Legal basis</dt>
        <dd>{labelOf(activity.legalBasis)}</dd>
        <dt>Categories of persons</dt>
        <dd>{activity.categoriesOfPersons.join('; ')}</dd>
        <dt>Categories of data</dt>
        <dd>{activity.categoriesOfData.join('; ')}</dd>
        <dt>Recipients</dt>
        <dd>{activity.recipients.join('; ') || '—'}</dd>
        <dt>Transfers outside the EEA</dt>
        <dd>{activity.transfers.join('; ') || 'none'}</dd>
        <dt>Retention</dt>
        <dd>{activity.retention}</dd>
        {activity.sellsOrShares && (
          <>
            <dt>Sale or sharing</dt>
            <dd>yes: refused for people who opted out</dd>
          </>
        )}
      </dl>
    </section>
  );
}

import type { ResponseOf } from '../../api/client.ts';
import type { paths } from '../../api/schema';
import { labelOf } from '../../ui/labels.ts';

export type ExclusionReason = NonNullable<
  NonNullable<NonNullable<paths['/api/v1/campaigns/{id}/exclusions']['get']['parameters']['query']>['reason']>
>;

/** How many the gate leaves out, per reason: "3 No consent, 1 Suppressed". */
export const exclusionSummary = (excluded: ResponseOf<'/api/v1/campaigns/{id}/preview'>['excluded']) =>
  Object.entries(excluded)
    .map(([reason, n]) => `${n} ${labelOf(reason)}`)
    .join(', ') || 'none';

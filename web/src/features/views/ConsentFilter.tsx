import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { labelOf } from '../../ui/labels.ts';
import type { ListFilters } from '../records/recordApis.ts';

/** The states of consent a list can filter on (server: CONSENT_STATES); none: the ledger holds nothing for the purpose. */
const STATES = ['granted', 'pending', 'withdrawn', 'expired', 'objected', 'none'] as const;

/** People in a state of consent for one purpose: "granted for Newsletter", "none for Events". */
export function ConsentFilter({ value, onChange }: { value: ListFilters; onChange(value: ListFilters): void }) {
  const purposes = useQuery({
    queryKey: ['purposes'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/purposes', { signal })),
    staleTime: 60_000,
  });
  const { consentPurpose, consentState, ...rest } = value;
  const change = (purpose: string, state: string) =>
    onChange(purpose ? { ...rest, consentPurpose: purpose, consentState: state || 'granted' } : rest);
  return (
    <span className="filter">
      <label htmlFor="filter-consent">Consent</label>
      <span className="inline">
        <select
          id="filter-consent"
          value={String(consentState ?? '')}
          disabled={!consentPurpose}
          aria-label="Consent state"
          onChange={(event) => change(String(consentPurpose), event.target.value)}
        >
          {STATES.map((state) => (
            <option key={state} value={state}>
              {labelOf(state)}
            </option>
          ))}
        </select>
        <select
          aria-label="Consent purpose"
          value={String(consentPurpose ?? '')}
          onChange={(event) => change(event.target.value, String(consentState ?? ''))}
        >
          <option value="">for any purpose</option>
          {(purposes.data?.items ?? []).map((purpose) => (
            <option key={purpose.id} value={purpose.id}>
              for {purpose.name}
            </option>
          ))}
        </select>
      </span>
    </span>
  );
}

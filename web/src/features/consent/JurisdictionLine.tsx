import type { Schemas } from '../../api/client.ts';
import { dateOnly } from '../../ui/labels.ts';
import { JURISDICTION_NAMES, JURISDICTION_SOURCES } from './consentLabels.ts';

/** Which law the person falls under and why, and their opt-out of sale and sharing where their law has one. */
export function JurisdictionLine({ consents }: { consents: Schemas['PersonConsents'] }) {
  const { jurisdiction, saleSharing } = consents;
  return (
    <p className="muted" data-testid="jurisdiction">
      Jurisdiction: {JURISDICTION_NAMES[jurisdiction.jurisdiction]} ({JURISDICTION_SOURCES[jurisdiction.source]})
      {saleSharing?.optedOut &&
        ` · opted out of sale and sharing since ${dateOnly(saleSharing.since)}${saleSharing.source ? ` (${saleSharing.source})` : ''}`}
    </p>
  );
}

import { labelOf } from '../../ui/labels.ts';
import { BASIS_LABELS } from './consentLabels.ts';
import type { Purpose } from './usePurposes.ts';

interface Props {
  purpose: Purpose;
  canManage: boolean;
  onStatus(status: Purpose['status']): void;
  onAssess(): void;
}

/** A purpose with its flags, its legal basis (and balancing test), retention and recipients. */
export function PurposeRow({ purpose, canManage, onStatus, onAssess }: Props) {
  return (
    <tr>
      <td>
        <strong>{purpose.name}</strong> <span className="muted">({purpose.key})</span>
        {purpose.directMarketing && <span className="badge">direct marketing</span>}
        {purpose.sellsOrShares && <span className="badge">sells or shares (CCPA)</span>}
        {purpose.softOptIn && <span className="badge">soft opt-in: existing customers</span>}
        {purpose.aboutRecipientsProfession && <span className="badge">about the recipient's profession (B2B)</span>}
        {purpose.cookieCategory && <span className="badge">cookies: {purpose.cookieCategory}</span>}
        <br />
        <span className="muted">{purpose.description}</span>
      </td>
      <td>
        {BASIS_LABELS[purpose.legalBasis]}
        {purpose.legalBasis === 'legitimate_interest' && (
          <div className="muted">
            {purpose.balancingTest
              ? `Balancing test ${purpose.balancingTest.outcome} (${purpose.balancingTest.reviewedOn})`
              : 'No balancing test yet'}
          </div>
        )}
      </td>
      <td>{labelOf(purpose.status)}</td>
      <td>{purpose.retention || '—'}</td>
      <td>{purpose.recipients.join(', ') || '—'}</td>
      <td className="actions">
        {canManage && purpose.status !== 'active' && <button onClick={() => onStatus('active')}>Activate</button>}
        {canManage && purpose.status === 'active' && (
          <button className="secondary" onClick={() => onStatus('retired')}>
            Retire
          </button>
        )}
        {canManage && purpose.legalBasis === 'legitimate_interest' && (
          <button className="secondary" onClick={onAssess}>
            Balancing test
          </button>
        )}
      </td>
    </tr>
  );
}

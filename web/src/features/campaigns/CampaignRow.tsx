import type { Schemas } from '../../api/client.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { dateOnly, labelOf } from '../../ui/labels.ts';
import { exclusionSummary } from './exclusionReasons.ts';
import { SendConfirmation } from './SendConfirmation.tsx';

interface Props {
  campaign: Schemas['Campaign'];
  purposeName: string;
  preview: Schemas['CampaignPreview'] | undefined;
  showingExclusions: boolean;
  onPreview(): void;
  onSend(): void;
  onStop(): void;
  onToggleExclusions(): void;
}

/** A campaign: its purpose, progress, whom the gate left out, and what can be done with it now. */
export function CampaignRow({ campaign: c, purposeName, preview, showingExclusions, ...on }: Props) {
  return (
    <tr>
      <td>
        {c.name} {c.kind === 'repermission' && <span className="badge">re-permission</span>}
      </td>
      <td>{purposeName}</td>
      <td>
        {labelOf(c.status)}
        {c.status === 'stopped' && c.stoppedReason && <div className="error">{c.stoppedReason}</div>}
        {c.kind === 'repermission' && c.confirmBy && (
          <div className="muted">
            confirm by {dateOnly(c.confirmBy)}; {c.expired} expired
          </div>
        )}
      </td>
      <td>
        {c.sent} / {c.recipients}
        {c.failed > 0 && <span className="error"> ({c.failed} failed)</span>}
      </td>
      <td>
        {c.status === 'draft'
          ? preview
            ? `${preview.recipients} would receive it; ${exclusionSummary(preview.excluded)}`
            : '—'
          : exclusionSummary(c.excluded)}
      </td>
      <td className="actions">
        {c.status === 'draft' && (
          <>
            <button className="secondary" onClick={on.onPreview}>
              Preview audience
            </button>
            <ConfirmButton label="Send" tone="primary" title={`Send “${c.name}”?`} confirmLabel="Send now" onConfirm={on.onSend}>
              <SendConfirmation campaignId={c.id} name={c.name} />
            </ConfirmButton>
          </>
        )}
        {c.status === 'sending' && (
          <button className="danger" onClick={on.onStop}>
            Stop
          </button>
        )}
        <button className="secondary" aria-expanded={showingExclusions} onClick={on.onToggleExclusions}>
          Excluded people
        </button>
      </td>
    </tr>
  );
}

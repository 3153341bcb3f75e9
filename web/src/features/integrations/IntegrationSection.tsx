import type { Schemas } from '../../api/client.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { dateTime, labelOf } from '../../ui/labels.ts';
import type { Purpose } from '../consent/usePurposes.ts';
import { ActivePurposeOptions } from './ActivePurposeOptions.tsx';
import { VENDOR_NAMES } from './inOrder.ts';
import { LastRun } from './LastRun.tsx';
import { PurgeCertificate } from './PurgeCertificate.tsx';

export interface IntegrationActions {
  setPurpose(purposeId: string | null): void;
  sync(options: { fullResync?: boolean; allowMassDeletion?: boolean }): void;
  disconnect(): void;
}

/** One connected CRM: its purpose, schedule, linked records, last run, held deletions and actions. */
export function IntegrationSection({
  item,
  purposes,
  canManage,
  actions,
}: {
  item: Schemas['Integration'];
  purposes: Purpose[];
  canManage: boolean;
  actions: IntegrationActions;
}) {
  const run = item.lastRun;
  return (
    <section aria-label={item.label}>
      <h2>
        {item.label} <span className="badge">{VENDOR_NAMES[item.kind] ?? item.kind}</span>{' '}
        <span className="badge">{labelOf(item.status)}</span>
        {item.actingAs === 'processor' && <span className="badge">processor (Art. 28)</span>}
        {item.sellsOrShares && <span className="badge">sale or sharing (CCPA)</span>}
      </h2>
      <p className="muted">
        People are pushed for:{' '}
        {purposes.find((p) => p.id === item.purposeId)?.name ?? <em>no purpose declared, so no person can be pushed</em>}
        {canManage && (
          <select
            aria-label={`Purpose of ${item.label}`}
            value={item.purposeId ?? ''}
            onChange={(e) => actions.setPurpose(e.target.value || null)}
          >
            <option value="">none</option>
            <ActivePurposeOptions purposes={purposes} />
          </select>
        )}
      </p>
      {item.statusReason && <p className="error">{item.statusReason}</p>}
      <p>
        Every {item.syncEveryHours} h; synced until {item.syncedUntil ? dateTime(item.syncedUntil) : 'never'}; next{' '}
        {dateTime(item.nextSyncAt)}. Linked records:{' '}
        {Object.entries(item.records)
          .map(([object, count]) => `${object} ${count}`)
          .join(', ') || 'none'}
        .
      </p>
      {run && <LastRun run={run} order={item.objects} />}
      {run && run.heldDeletions.length > 0 && (
        <div className="notice" role="alert">
          <p>Deletions held for review: the export looked incomplete, so nothing it no longer lists was deleted.</p>
          <ul aria-label="Held deletions">
            {run.heldDeletions.map((held) => (
              <li key={held.object}>
                {held.object}: {held.reason}
              </li>
            ))}
          </ul>
          {canManage && item.status === 'active' && (
            <ConfirmButton
              label="Sync and apply these deletions"
              title="Apply the deletions here too?"
              confirmLabel="Delete them here"
              onConfirm={() => actions.sync({ allowMassDeletion: true })}
            >
              <p>Check in {item.label} that those records were really deleted there: they are deleted here too.</p>
            </ConfirmButton>
          )}
        </div>
      )}
      {item.purgeCertificate && <PurgeCertificate certificate={item.purgeCertificate} order={item.objects} />}
      {canManage && item.status === 'active' && (
        <div className="actions">
          <button onClick={() => actions.sync({})}>Sync now</button>
          <ConfirmButton
            label="Full resync"
            tone="primary"
            title={`Resync everything from ${item.label}?`}
            confirmLabel="Resync"
            onConfirm={() => actions.sync({ fullResync: true })}
          >
            <p>Everything is listed again as the first sync did; records {item.label} no longer has are deleted here.</p>
          </ConfirmButton>
          <ConfirmButton
            label="Disconnect and purge"
            title={`Disconnect ${item.label}?`}
            confirmLabel="Disconnect and purge"
            onConfirm={actions.disconnect}
          >
            <p>Everything that came only from {item.label} is deleted here, and a purge certificate is kept.</p>
          </ConfirmButton>
        </div>
      )}
    </section>
  );
}

import { useState } from 'react';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { useMembers } from '../members/useMembers.ts';
import { exportHref } from '../transfer/ListTransferLinks.tsx';
import { bulkApi, type BulkPath, type BulkTarget } from './bulkApi.ts';

/** The most records an export of a selection names (server: MAX_IDS), so that its address stays under the header limit. */
const MAX_IDS = 300;

interface Props {
  path: BulkPath;
  /** "contacts", "deals": what the counts are of. */
  plural: string;
  target: BulkTarget;
  count: number;
  canDelete: boolean;
  /** People only, and only for those who manage campaigns. */
  canSegment: boolean;
  canExport: boolean;
  onDone(message: string): void;
}

/** Actions on the records selected (or on the whole view): give them an owner, add them to a segment, delete them. */
export function BulkBar({ path, plural, target, count, canDelete, canSegment, canExport, onDone }: Props) {
  const { members, nameOf } = useMembers();
  const [ownerId, setOwnerId] = useState('');
  const [segmentName, setSegmentName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run(action: () => Promise<{ count: number }>, message: (count: number) => string) {
    setBusy(true);
    setError(null);
    try {
      onDone(message((await action()).count));
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions">
      <strong>
        {count} {plural} selected
      </strong>
      <span className="inline">
        <select aria-label="New owner" value={ownerId} onChange={(event) => setOwnerId(event.target.value)}>
          <option value="">Assign to…</option>
          {members
            .filter((member) => member.status === 'active')
            .map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
        </select>
        <button
          type="button"
          disabled={busy || !ownerId}
          onClick={() =>
            void run(
              () => bulkApi.assign(path, target, ownerId),
              (n) => `${n} ${plural} assigned to ${nameOf(ownerId)}.`,
            )
          }
        >
          Assign
        </button>
      </span>
      {canSegment && (path === 'contacts' || path === 'leads') && (
        <span className="inline">
          <input
            aria-label="Segment name"
            placeholder="New segment…"
            maxLength={200}
            value={segmentName}
            onChange={(event) => setSegmentName(event.target.value)}
          />
          <button
            type="button"
            className="secondary"
            disabled={busy || !segmentName.trim()}
            onClick={() =>
              void run(
                () => bulkApi.addToSegment(path, target, segmentName.trim()),
                (n) => `${n} ${plural} added to the segment "${segmentName.trim()}".`,
              )
            }
          >
            Add to segment
          </button>
        </span>
      )}
      {canExport &&
        ('ids' in target ? (
          target.ids.length <= MAX_IDS ? (
            <a className="button secondary" href={exportHref(path, { ids: target.ids.join(',') }, 'csv')} download>
              Export selection as CSV
            </a>
          ) : (
            <span className="muted">Export up to {MAX_IDS} selected, or the whole view with Export CSV above.</span>
          )
        ) : (
          <a className="button secondary" href={exportHref(path, target.filters, 'csv')} download>
            Export selection as CSV
          </a>
        ))}
      {canDelete && (
        <ConfirmButton
          label="Delete"
          title={`Delete ${count} ${plural}?`}
          confirmLabel={`Delete ${count} ${plural}`}
          disabled={busy}
          onConfirm={() =>
            void run(
              () => bulkApi.remove(path, target),
              (n) => `${n} ${plural} deleted.`,
            )
          }
        >
          <p>
            The {count} {plural} go with their tasks and notes; for people, their data keys are destroyed, so copies in backups become
            unreadable too. This cannot be undone.
          </p>
        </ConfirmButton>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}

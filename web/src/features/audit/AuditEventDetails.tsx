import { useEffect, useRef } from 'react';
import type { Schemas } from '../../api/client.ts';
import { dateTime } from '../../ui/labels.ts';

export function AuditEventDetails({ event, actor, onClose }: { event: Schemas['AuditEvent']; actor: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, [event.seq]);
  const rows: Array<[string, string]> = [
    ['When (UTC)', dateTime(event.occurredAt)],
    ['Who', `${actor} (${event.actorType.replace('_', ' ')}${event.actorId ? `, ${event.actorId}` : ''})`],
    ['Action', event.action],
    ['Object', [event.objectType, event.objectId].filter(Boolean).join(' ') || '—'],
    ['Fields', event.fields.join(', ') || '—'],
    ['Address', event.ip ?? '—'],
    ['Device', event.userAgent ?? '—'],
    ['Request', event.requestId ?? '—'],
    ['Hash', event.hash],
  ];
  return (
    <dialog ref={dialog} aria-label={`Audit event ${event.seq}`} onClose={onClose}>
      <h2>Event {event.seq}</h2>
      <dl className="fields">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className="wrap">{value}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog" className="dialog-actions">
        <button>Close</button>
      </form>
    </dialog>
  );
}

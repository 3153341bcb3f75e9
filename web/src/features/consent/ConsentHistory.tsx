import type { Schemas } from '../../api/client.ts';
import { dateTime, labelOf } from '../../ui/labels.ts';

/** The consent ledger of one person, newest first: what happened, when, how, by whom, with the wording agreed to. */
export function ConsentHistory({ history }: { history: Array<Schemas['ConsentEvent']> }) {
  if (history.length === 0) return <p className="muted">No consent events yet.</p>;
  return (
    <ol className="timeline" aria-label="Consent history">
      {history.map((event) => (
        <li key={event.id}>
          <strong>
            {event.purposeKey ?? 'sale and sharing'}: {labelOf(event.kind).toLowerCase()}
          </strong>{' '}
          <span className="muted">
            {dateTime(event.occurredAt)} · {labelOf(event.method).toLowerCase()} · {labelOf(event.actorType).toLowerCase()}
            {event.source ? ` · ${event.source}` : ''}
            {event.formId ? ` · form v${event.formVersion}` : ''}
            {event.ip ? ` · ${event.ip}` : ''}
          </span>
          {event.text && <p>“{event.text}”</p>}
        </li>
      ))}
    </ol>
  );
}

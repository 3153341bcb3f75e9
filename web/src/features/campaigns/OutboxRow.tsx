import type { Schemas } from '../../api/client.ts';
import { dateTime, labelOf } from '../../ui/labels.ts';

const delivery = (message: Schemas['EmailMessage']) =>
  message.state === 'queued'
    ? `waiting to be sent (${message.attempts} attempt${message.attempts === 1 ? '' : 's'})`
    : message.state === 'failed'
      ? `not sent: ${message.lastError ?? 'unknown error'}`
      : message.transport === 'smtp'
        ? 'sent by SMTP'
        : 'kept in outbox';

/** One e-mail sent to a person, opened to read its text. */
export function OutboxRow({ message, open, onToggle }: { message: Schemas['EmailMessage']; open: boolean; onToggle(): void }) {
  return (
    <>
      <tr>
        <td>
          <button type="button" className="link" aria-expanded={open} onClick={onToggle}>
            {dateTime(message.createdAt)}
          </button>
        </td>
        <td>{message.to ?? <em className="muted">erased</em>}</td>
        <td>{message.subject ?? ''}</td>
        <td>{labelOf(message.kind)}</td>
        <td>{delivery(message)}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={5}>
            <pre className="mail">{message.text}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

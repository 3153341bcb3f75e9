import type { Schemas } from '../../api/client.ts';
import { labelOf } from '../../ui/labels.ts';

type Form = Schemas['Form'];

/** A form with its status, version, submissions, where it lives, and what can be done with it. */
export function FormRow({ form, onEdit, onStatus }: { form: Form; onEdit(): void; onStatus(status: Form['status']): void }) {
  return (
    <tr>
      <td>{form.name}</td>
      <td>{labelOf(form.status)}</td>
      <td>v{form.version}</td>
      <td>{form.submissions}</td>
      <td>
        {form.status === 'live' ? (
          <a href={form.publicUrl} target="_blank" rel="noreferrer">
            hosted page
          </a>
        ) : (
          <span className="muted">not live</span>
        )}
        <div className="muted">POST JSON to {form.submitUrl}</div>
      </td>
      <td className="actions">
        <button className="secondary" onClick={onEdit}>
          Edit
        </button>
        {form.status !== 'live' && <button onClick={() => onStatus('live')}>Go live</button>}
        {form.status === 'live' && (
          <button className="secondary" onClick={() => onStatus('archived')}>
            Close
          </button>
        )}
      </td>
    </tr>
  );
}

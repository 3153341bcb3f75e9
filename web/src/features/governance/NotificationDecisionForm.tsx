import { useState } from 'react';
import { Field } from '../../ui/Field.tsx';

/** Art. 33(1): whether the breach must be notified to the supervisory authority, and why. */
export function NotificationDecisionForm({ onSubmit }: { onSubmit(decision: { notificationRequired: boolean; reason: string }): void }) {
  const [required, setRequired] = useState(true);
  const [reason, setReason] = useState('');
  return (
    <form
      className="record-form"
      aria-label="Notification decision"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({ notificationRequired: required, reason });
      }}
    >
      <h2>Must the supervisory authority be notified?</h2>
      <Field label="Decision">
        <select value={required ? 'yes' : 'no'} onChange={(e) => setRequired(e.target.value === 'yes')}>
          <option value="yes">Yes: likely risk to people</option>
          <option value="no">No: unlikely to result in a risk</option>
        </select>
      </Field>
      <Field label="Why">
        <textarea required minLength={10} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <div className="actions">
        <button type="submit">Record decision</button>
      </div>
    </form>
  );
}

import { useState } from 'react';
import { Field } from '../../ui/Field.tsx';

const EMPTY = { title: '', nature: '', awareAt: '' };

/** Records an incident by hand; the 72-hour clock starts when the workspace became aware of it. */
export function NewIncidentForm({ onSubmit }: { onSubmit(incident: { title: string; nature: string; awareAt?: string }): void }) {
  const [draft, setDraft] = useState(EMPTY);
  return (
    <form
      className="record-form"
      aria-label="New incident"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({
          title: draft.title,
          nature: draft.nature,
          ...(draft.awareAt ? { awareAt: new Date(draft.awareAt).toISOString() } : {}),
        });
        setDraft(EMPTY);
      }}
    >
      <h2>Record an incident</h2>
      <Field label="Title">
        <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
      </Field>
      <Field label="What happened">
        <textarea value={draft.nature} onChange={(e) => setDraft({ ...draft, nature: e.target.value })} />
      </Field>
      <Field label="Became aware at (default now)">
        <input type="datetime-local" value={draft.awareAt} onChange={(e) => setDraft({ ...draft, awareAt: e.target.value })} />
      </Field>
      <div className="actions">
        <button type="submit">Record</button>
      </div>
    </form>
  );
}

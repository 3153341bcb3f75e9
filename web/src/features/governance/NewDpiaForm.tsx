import { useState } from 'react';
import { Field } from '../../ui/Field.tsx';

const EMPTY = { activityId: '', title: '', reviewOn: '' };

/** Starts an impact assessment of one processing activity. */
export function NewDpiaForm({
  activities,
  onSubmit,
}: {
  activities: Array<{ id: string; name: string }>;
  onSubmit(dpia: typeof EMPTY): void;
}) {
  const [draft, setDraft] = useState(EMPTY);
  return (
    <form
      className="record-form"
      aria-label="New impact assessment"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(draft);
      }}
    >
      <h2>New impact assessment</h2>
      <Field label="Activity">
        <select required value={draft.activityId} onChange={(e) => setDraft({ ...draft, activityId: e.target.value })}>
          <option value="">choose…</option>
          {activities.map((activity) => (
            <option key={activity.id} value={activity.id}>
              {activity.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Title">
        <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
      </Field>
      <Field label="Review on">
        <input required type="date" value={draft.reviewOn} onChange={(e) => setDraft({ ...draft, reviewOn: e.target.value })} />
      </Field>
      <div className="actions">
        <button type="submit">Start</button>
      </div>
    </form>
  );
}

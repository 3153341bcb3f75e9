import { useState } from 'react';
import type { BodyOf } from '../../api/client.ts';
import { Field } from '../../ui/Field.tsx';
import { ROLES, ROLE_LABELS, type Role } from '../../ui/labels.ts';

type TrainingModule = BodyOf<'/api/v1/training-modules'>;

/** A training module (Art. 39(1)(b)): who must take it, how often, and the pass mark. */
export function NewTrainingModuleForm({ onSubmit }: { onSubmit(module: TrainingModule): void }) {
  const [draft, setDraft] = useState({ title: '', content: '', roles: ['salesperson'] as Role[], refresherDays: '', passScore: '70' });
  return (
    <form
      className="record-form"
      aria-label="New training module"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({
          title: draft.title,
          content: draft.content,
          roles: draft.roles,
          refresherDays: draft.refresherDays ? Number(draft.refresherDays) : null,
          passScore: Number(draft.passScore),
        });
      }}
    >
      <h3>New module</h3>
      <Field label="Title">
        <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
      </Field>
      <Field label="Content or link">
        <textarea value={draft.content} onChange={(e) => setDraft({ ...draft, content: e.target.value })} />
      </Field>
      <fieldset>
        <legend>Roles that must take it</legend>
        {ROLES.map((role) => (
          <label key={role}>
            <input
              type="checkbox"
              checked={draft.roles.includes(role)}
              onChange={(e) =>
                setDraft({ ...draft, roles: e.target.checked ? [...draft.roles, role] : draft.roles.filter((r) => r !== role) })
              }
            />{' '}
            {ROLE_LABELS[role]}
          </label>
        ))}
      </fieldset>
      <Field label="Refresher every (days)">
        <input type="number" min={30} value={draft.refresherDays} onChange={(e) => setDraft({ ...draft, refresherDays: e.target.value })} />
      </Field>
      <Field label="Pass mark">
        <input
          type="number"
          min={0}
          max={100}
          value={draft.passScore}
          onChange={(e) => setDraft({ ...draft, passScore: e.target.value })}
        />
      </Field>
      <div className="actions">
        <button type="submit">Add module</button>
      </div>
    </form>
  );
}

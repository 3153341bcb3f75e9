import { useState } from 'react';
import type { BodyOf } from '../../api/client.ts';
import { Field } from '../../ui/Field.tsx';
import { TARGET_LABELS, type RetentionTarget } from './targets.ts';

type Rule = BodyOf<'/api/v1/retention-rules'>;

/** A retention rule: what it applies to, after how long, and whether it deletes or anonymises. */
export function NewRetentionRuleForm({ onSubmit }: { onSubmit(rule: Rule): void }) {
  const [draft, setDraft] = useState<Rule>({ name: '', target: 'lead', afterDays: 730, action: 'delete' });
  return (
    <form
      className="record-form"
      aria-label="New retention rule"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(draft);
      }}
    >
      <h2>New rule</h2>
      <Field label="Name">
        <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </Field>
      <Field label="Applies to">
        <select value={draft.target} onChange={(e) => setDraft({ ...draft, target: e.target.value as RetentionTarget })}>
          {Object.entries(TARGET_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="After (days idle, or since creation)">
        <input type="number" min={1} value={draft.afterDays} onChange={(e) => setDraft({ ...draft, afterDays: Number(e.target.value) })} />
      </Field>
      <Field label="Action">
        <select value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value as Rule['action'] })}>
          <option value="delete">delete</option>
          <option value="anonymise">anonymise (contacts, leads, lost deals)</option>
        </select>
      </Field>
      <div className="actions">
        <button type="submit">Add rule</button>
      </div>
    </form>
  );
}

import { useState, type ReactNode } from 'react';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { FieldInput } from './FieldInput.tsx';
import { fromFormValue, toFormValue } from './formValues.ts';
import type { Field } from './objects.ts';

interface Props<R> {
  field: Field<R>;
  value: unknown;
  /** The value as read on the page. */
  children: ReactNode;
  /** Saves the one field; the server refuses what the member may not change, and says why. */
  onSave(value: unknown): Promise<unknown>;
}

/** A field of a record page that edits in place: click it, change it, Enter saves, Escape leaves it as it was. */
export function InlineField<R>({ field, value, children, onSave }: Props<R>) {
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  if (editing === null) {
    return (
      <button type="button" className="inline-value" onClick={() => setEditing(toFormValue(value))}>
        {children}
        {/* The name keeps the value read on screen, then says what the button does. */}
        <span className="visually-hidden"> — change {field.label.replace(/ \(.*\)$/, '')}</span>
      </button>
    );
  }
  async function save() {
    setSaving(true);
    try {
      await onSave(fromFormValue(field, editing ?? ''));
      setEditing(null);
      setError(null);
    } catch (reason) {
      setError(reason);
    } finally {
      setSaving(false);
    }
  }
  return (
    <form
      className="inline-edit"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          setEditing(null);
          setError(null);
        }
      }}
    >
      <FieldInput field={field} value={editing} onChange={setEditing} />
      <button type="submit" disabled={saving}>
        Save
      </button>
      <button type="button" className="secondary" onClick={() => (setEditing(null), setError(null))}>
        Cancel
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

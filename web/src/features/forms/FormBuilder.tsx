import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { usePurposes } from '../consent/usePurposes.ts';
import { ConsentChoices } from './ConsentChoices.tsx';
import { FieldChoices } from './FieldChoices.tsx';
import type { Draft, FormBody } from './formDraft.ts';
import { FormPreview } from './FormPreview.tsx';

interface Props {
  initial: Draft;
  /** Saves the form (creates it without an id); resolves once the server accepted it. */
  onSave(id: string | undefined, body: FormBody): Promise<unknown>;
  error: unknown;
}

/** The form builder, with what a visitor will see drawn beside it as it is edited. */
export function FormBuilder({ initial, onSave, error }: Props) {
  const [draft, setDraft] = useState<Draft>(initial);
  const { purposes } = usePurposes();
  const consentPurposes = purposes.filter((p) => p.legalBasis === 'consent' && p.status !== 'retired');
  function save(event: FormEvent) {
    event.preventDefault();
    const { id, ...body } = draft;
    onSave(id, body).catch(() => undefined);
  }
  return (
    <div className="builder">
      <form className="record-form" onSubmit={save} aria-label="Form builder">
        <label>
          <span>Name (internal)</span>
          <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </label>
        <label>
          <span>Title shown</span>
          <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
        </label>
        <label>
          <span>Introduction</span>
          <input value={draft.intro} onChange={(e) => setDraft({ ...draft, intro: e.target.value })} />
        </label>
        <label>
          <span>New people become</span>
          <select value={draft.creates} onChange={(e) => setDraft({ ...draft, creates: e.target.value as Draft['creates'] })}>
            <option value="lead">leads</option>
            <option value="contact">contacts</option>
          </select>
        </label>
        <FieldChoices fields={draft.fields} onChange={(fields) => setDraft({ ...draft, fields })} />
        <ConsentChoices consents={draft.consents} purposes={consentPurposes} onChange={(consents) => setDraft({ ...draft, consents })} />
        <label className="check">
          <input type="checkbox" checked={draft.doubleOptIn} onChange={(e) => setDraft({ ...draft, doubleOptIn: e.target.checked })} />{' '}
          Double opt-in (confirmation email)
        </label>
        <label>
          <span>Unconfirmed consents expire after (days)</span>
          <input
            type="number"
            min={1}
            max={90}
            value={draft.confirmWithinDays}
            onChange={(e) => setDraft({ ...draft, confirmWithinDays: Number(e.target.value) })}
          />
        </label>
        <label>
          <span>Privacy policy URL</span>
          <input type="url" required value={draft.policyUrl} onChange={(e) => setDraft({ ...draft, policyUrl: e.target.value })} />
        </label>
        <label>
          <span>Privacy policy version</span>
          <input required value={draft.policyVersion} onChange={(e) => setDraft({ ...draft, policyVersion: e.target.value })} />
        </label>
        <label>
          <span>Message after submitting</span>
          <input required value={draft.successMessage} onChange={(e) => setDraft({ ...draft, successMessage: e.target.value })} />
        </label>
        <div className="actions">
          <button type="submit">{draft.id ? 'Save (a live form gets a new version)' : 'Create form'}</button>
        </div>
        <ErrorMessage error={error} />
      </form>
      <FormPreview draft={draft} purposeName={(id) => purposes.find((p) => p.id === id)?.name ?? ''} />
    </div>
  );
}

import { useState } from 'react';
import type { BodyOf } from '../../api/client.ts';
import { Field } from '../../ui/Field.tsx';

type Subprocessor = BodyOf<'/api/v1/subprocessors'>;
type Safeguard = Subprocessor['safeguard'];

const EMPTY = { name: '', service: '', country: '', safeguard: 'eea' as Safeguard, sccModule: '', sccVersion: '', agreementRef: '' };

/** Adds a sub-processor with its country and the Art. 46 safeguard of a transfer outside the EEA. */
export function NewSubprocessorForm({ onSubmit }: { onSubmit(processor: Subprocessor): void }) {
  const [draft, setDraft] = useState(EMPTY);
  return (
    <form
      className="record-form"
      aria-label="New sub-processor"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({
          ...draft,
          country: draft.country.toUpperCase(),
          sccModule: draft.sccModule ? Number(draft.sccModule) : null,
          sccVersion: draft.sccVersion || null,
        });
        setDraft(EMPTY);
      }}
    >
      <h2>Add a sub-processor</h2>
      <Field label="Name">
        <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </Field>
      <Field label="Service">
        <input required value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })} />
      </Field>
      <Field label="Country (ISO code)">
        <input required maxLength={2} value={draft.country} onChange={(e) => setDraft({ ...draft, country: e.target.value })} />
      </Field>
      <Field label="Safeguard">
        <select value={draft.safeguard} onChange={(e) => setDraft({ ...draft, safeguard: e.target.value as Safeguard })}>
          <option value="eea">within the EEA</option>
          <option value="adequacy">adequacy decision</option>
          <option value="sccs">standard contractual clauses</option>
          <option value="bcr">binding corporate rules</option>
        </select>
      </Field>
      {draft.safeguard === 'sccs' && (
        <>
          <Field label="SCC module (1-4)">
            <input
              type="number"
              min={1}
              max={4}
              value={draft.sccModule}
              onChange={(e) => setDraft({ ...draft, sccModule: e.target.value })}
            />
          </Field>
          <Field label="SCC version">
            <input value={draft.sccVersion} placeholder="2021/914" onChange={(e) => setDraft({ ...draft, sccVersion: e.target.value })} />
          </Field>
        </>
      )}
      <Field label="Agreement reference">
        <input value={draft.agreementRef} onChange={(e) => setDraft({ ...draft, agreementRef: e.target.value })} />
      </Field>
      <div className="actions">
        <button type="submit">Add</button>
      </div>
    </form>
  );
}

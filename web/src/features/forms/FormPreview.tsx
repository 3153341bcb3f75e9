import type { Draft } from './formDraft.ts';

/** What a visitor will see, drawn from the builder's state as it is being edited. */
export function FormPreview({ draft, purposeName }: { draft: Draft; purposeName(id: string): string }) {
  return (
    <div className="preview" aria-label="Preview">
      <h2>{draft.title || 'Form title'}</h2>
      {draft.intro && <p>{draft.intro}</p>}
      <label>
        <span>Email *</span>
        <input type="email" disabled />
      </label>
      {draft.fields.map((field) => (
        <label key={field.key}>
          <span>
            {field.label}
            {field.required ? ' *' : ''}
          </span>
          <input disabled />
        </label>
      ))}
      {draft.consents.map((consent, index) => (
        <label key={index} className="check">
          <input type="checkbox" disabled /> {consent.text || `(wording for ${purposeName(consent.purposeId) || 'a purpose'})`}
        </label>
      ))}
      <p className="muted">Privacy policy version {draft.policyVersion}</p>
      <button disabled>Submit</button>
    </div>
  );
}

import type { Purpose } from '../consent/usePurposes.ts';
import type { Draft } from './formDraft.ts';

/** The consent checkboxes a visitor sees, unticked: one purpose each, with its exact wording. */
export function ConsentChoices({
  consents,
  purposes,
  onChange,
}: {
  consents: Draft['consents'];
  purposes: Purpose[];
  onChange(consents: Draft['consents']): void;
}) {
  return (
    <fieldset>
      <legend>Consent checkboxes (unticked for the visitor)</legend>
      {consents.map((consent, index) => (
        <div key={index} className="consent-row">
          <select
            aria-label={`Purpose ${index + 1}`}
            required
            value={consent.purposeId}
            onChange={(e) => onChange(consents.map((c, i) => (i === index ? { ...c, purposeId: e.target.value } : c)))}
          >
            <option value="">Purpose…</option>
            {purposes.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <textarea
            aria-label={`Consent wording ${index + 1}`}
            required
            rows={2}
            value={consent.text}
            onChange={(e) => onChange(consents.map((c, i) => (i === index ? { ...c, text: e.target.value } : c)))}
          />
          {consents.length > 1 && (
            <button type="button" className="link" onClick={() => onChange(consents.filter((_c, i) => i !== index))}>
              remove
            </button>
          )}
        </div>
      ))}
      <button type="button" className="secondary" onClick={() => onChange([...consents, { purposeId: '', text: '' }])}>
        Add a consent
      </button>
    </fieldset>
  );
}

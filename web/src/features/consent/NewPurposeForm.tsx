import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import type { BodyOf } from '../../api/client.ts';
import { BASIS_LABELS } from './consentLabels.ts';

type PurposeBody = BodyOf<'/api/v1/purposes'>;
type Basis = PurposeBody['legalBasis'];

const EMPTY = {
  key: '',
  name: '',
  description: '',
  legalBasis: 'consent' as Basis,
  directMarketing: false,
  sellsOrShares: false,
  softOptIn: false,
  aboutRecipientsProfession: false,
  cookieCategory: '',
  retention: '',
  recipients: '',
  consentValidDays: '',
};

/** A purpose of processing with its legal basis and the flags the marketing gate reads. */
export function NewPurposeForm({ onSubmit }: { onSubmit(purpose: PurposeBody): Promise<unknown> }) {
  const [draft, setDraft] = useState(EMPTY);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const purpose = {
      ...draft,
      cookieCategory: draft.cookieCategory || null,
      recipients: draft.recipients
        .split(',')
        .map((recipient) => recipient.trim())
        .filter(Boolean),
      consentValidDays: draft.consentValidDays ? Number(draft.consentValidDays) : null,
    };
    if (await accepted(onSubmit(purpose))) setDraft(EMPTY);
  }
  return (
    <>
      <h2>New purpose</h2>
      <form className="record-form" onSubmit={(event) => void submit(event)} aria-label="New purpose">
        <label>
          <span>Key</span>
          <input required value={draft.key} onChange={(e) => setDraft({ ...draft, key: e.target.value })} placeholder="newsletter" />
        </label>
        <label>
          <span>Name</span>
          <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </label>
        <label>
          <span>Legal basis</span>
          <select value={draft.legalBasis} onChange={(e) => setDraft({ ...draft, legalBasis: e.target.value as Basis })}>
            {Object.entries(BASIS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Description</span>
          <input value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
        </label>
        <label>
          <span>Retention</span>
          <input
            value={draft.retention}
            onChange={(e) => setDraft({ ...draft, retention: e.target.value })}
            placeholder="24 months after last contact"
          />
        </label>
        <label>
          <span>Recipients (comma-separated)</span>
          <input value={draft.recipients} onChange={(e) => setDraft({ ...draft, recipients: e.target.value })} />
        </label>
        <label>
          <span>Consent valid for (days)</span>
          <input
            type="number"
            min={1}
            value={draft.consentValidDays}
            onChange={(e) => setDraft({ ...draft, consentValidDays: e.target.value })}
          />
        </label>
        <label>
          <span>Cookie category</span>
          <input
            value={draft.cookieCategory}
            onChange={(e) => setDraft({ ...draft, cookieCategory: e.target.value })}
            placeholder="analytics"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.directMarketing}
            onChange={(e) => setDraft({ ...draft, directMarketing: e.target.checked })}
          />{' '}
          Direct marketing
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.softOptIn}
            disabled={!draft.directMarketing || draft.legalBasis !== 'legitimate_interest'}
            onChange={(e) => setDraft({ ...draft, softOptIn: e.target.checked })}
          />{' '}
          Markets similar products to existing customers (soft opt-in, ePrivacy Art. 13(2))
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.aboutRecipientsProfession}
            disabled={!draft.directMarketing || draft.legalBasis !== 'legitimate_interest'}
            onChange={(e) => setDraft({ ...draft, aboutRecipientsProfession: e.target.checked })}
          />{' '}
          Messages about the recipient's profession (B2B exceptions the workspace enabled)
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.sellsOrShares} onChange={(e) => setDraft({ ...draft, sellsOrShares: e.target.checked })} />{' '}
          Sells or shares personal information (refused for people who opted out)
        </label>
        <div className="actions">
          <button type="submit">Add purpose</button>
        </div>
      </form>
    </>
  );
}

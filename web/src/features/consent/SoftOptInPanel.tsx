import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import type { BodyOf, Schemas } from '../../api/client.ts';
import { dateOnly } from '../../ui/labels.ts';

type SoftOptInBody = BodyOf<'/api/v1/contacts/{id}/soft-opt-in', 'put'>;

const EMPTY = {
  relationship: 'sale' as SoftOptInBody['relationship'],
  opportunityId: '',
  evidence: '',
  products: '',
  optOutOffered: '',
  obtainedAt: '',
};

interface Props {
  softOptIn: Schemas['SoftOptIn'] | null;
  /** Resolves once the server accepted the facts; the form then closes. */
  onRecord(body: SoftOptInBody): Promise<unknown>;
  onRemove(): void;
}

/**
 * The soft opt-in facts of an existing customer (ePrivacy Directive Art. 13(2), PECR reg. 22(3)):
 * the sale or negotiation the address came with, the products marketing may be about, and how
 * the person was offered to refuse. Purposes flagged "soft opt-in" may then e-mail them where
 * their law has the rule.
 */
export function SoftOptInPanel({ softOptIn, onRecord, onRemove }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(EMPTY);

  async function save(event: FormEvent) {
    event.preventDefault();
    const recorded = onRecord({
      relationship: draft.relationship,
      opportunityId: draft.opportunityId || null,
      evidence: draft.evidence || null,
      products: draft.products,
      optOutOffered: draft.optOutOffered,
      obtainedAt: draft.obtainedAt ? new Date(draft.obtainedAt).toISOString() : '',
    });
    if (!(await accepted(recorded))) return;
    setEditing(false);
    setDraft(EMPTY);
  }

  return (
    <section aria-label="Soft opt-in">
      <h2>Existing customer (soft opt-in)</h2>
      {softOptIn ? (
        <p>
          {softOptIn.relationship === 'sale' ? 'Bought' : 'Negotiated for'} {softOptIn.products ?? <em>erased</em>} on{' '}
          {dateOnly(softOptIn.obtainedAt)}
          {softOptIn.evidence ? ` (${softOptIn.evidence})` : ''}; refusal offered: {softOptIn.optOutOffered}.{' '}
          <button className="secondary" onClick={onRemove}>
            Remove
          </button>
        </p>
      ) : (
        <p className="muted">None recorded: purposes on legitimate interest cannot e-mail this person where their law requires opt-in.</p>
      )}
      {!editing && (
        <button className="secondary" onClick={() => setEditing(true)}>
          {softOptIn ? 'Replace' : 'Record'} soft opt-in
        </button>
      )}
      {editing && (
        <form className="record-form" aria-label="Record soft opt-in" onSubmit={(event) => void save(event)}>
          <label>
            <span>Relationship</span>
            <select
              value={draft.relationship}
              onChange={(e) => setDraft({ ...draft, relationship: e.target.value as SoftOptInBody['relationship'] })}
            >
              <option value="sale">a sale</option>
              <option value="negotiation">negotiations for a sale</option>
            </select>
          </label>
          <label>
            <span>Deal id (optional)</span>
            <input value={draft.opportunityId} onChange={(e) => setDraft({ ...draft, opportunityId: e.target.value })} />
          </label>
          <label>
            <span>Order, invoice or quote reference</span>
            <input value={draft.evidence} onChange={(e) => setDraft({ ...draft, evidence: e.target.value })} />
          </label>
          <label>
            <span>Products or services</span>
            <input required value={draft.products} onChange={(e) => setDraft({ ...draft, products: e.target.value })} />
          </label>
          <label>
            <span>How refusing was offered at collection</span>
            <input required value={draft.optOutOffered} onChange={(e) => setDraft({ ...draft, optOutOffered: e.target.value })} />
          </label>
          <label>
            <span>Address obtained on</span>
            <input type="date" required value={draft.obtainedAt} onChange={(e) => setDraft({ ...draft, obtainedAt: e.target.value })} />
          </label>
          <div className="actions">
            <button type="submit">Save</button>
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

import { useState, type FormEvent } from 'react';
import { api, del } from '../../api.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

export interface SoftOptIn {
  relationship: 'sale' | 'negotiation';
  opportunityId: string | null;
  evidence: string | null;
  products: string | null;
  optOutOffered: string;
  obtainedAt: string;
  recordedBy: string;
  recordedAt: string;
}

const EMPTY = { relationship: 'sale', opportunityId: '', evidence: '', products: '', optOutOffered: '', obtainedAt: '' };

/**
 * The soft opt-in facts of an existing customer (ePrivacy Directive Art. 13(2), PECR reg. 22(3)):
 * the sale or negotiation the address came with, the products marketing may be about, and how
 * the person was offered to refuse. Purposes flagged "soft opt-in" may then e-mail them where
 * their law has the rule.
 */
export function SoftOptInPanel({ base, softOptIn, onChange }: { base: string; softOptIn: SoftOptIn | null; onChange(): void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(EMPTY);
  const [error, setError] = useState<unknown>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await api('PUT', `${base}/soft-opt-in`, {
        relationship: draft.relationship,
        opportunityId: draft.opportunityId || null,
        evidence: draft.evidence || null,
        products: draft.products,
        optOutOffered: draft.optOutOffered,
        obtainedAt: draft.obtainedAt ? new Date(draft.obtainedAt).toISOString() : '',
      });
      setEditing(false);
      onChange();
    } catch (caught) {
      setError(caught);
    }
  }
  async function remove() {
    setError(null);
    try {
      await del(`${base}/soft-opt-in`);
      onChange();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section aria-label="Soft opt-in">
      <h2>Existing customer (soft opt-in)</h2>
      {softOptIn ? (
        <p>
          {softOptIn.relationship === 'sale' ? 'Bought' : 'Negotiated for'} {softOptIn.products ?? <em>erased</em>} on{' '}
          {new Date(softOptIn.obtainedAt).toLocaleDateString()}
          {softOptIn.evidence ? ` (${softOptIn.evidence})` : ''}; refusal offered: {softOptIn.optOutOffered}.{' '}
          <button className="secondary" onClick={remove}>
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
        <form className="record-form" aria-label="Record soft opt-in" onSubmit={save}>
          <label>
            <span>Relationship</span>
            <select value={draft.relationship} onChange={(e) => setDraft({ ...draft, relationship: e.target.value })}>
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
      <ErrorMessage error={error} />
    </section>
  );
}

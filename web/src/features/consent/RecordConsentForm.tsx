import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import type { BodyOf } from '../../api/client.ts';
import { usePurposes } from './usePurposes.ts';

type ConsentBody = BodyOf<'/api/v1/contacts/{id}/consents'>;
type RecordedKind = Extract<ConsentBody['kind'], 'given' | 'withdrawn' | 'objected'>;

const EMPTY = { purposeId: '', kind: 'given' as RecordedKind, text: '', source: '' };

/** A consent given, withdrawn or objected to by word of mouth or letter, with the wording and where. */
export function RecordConsentForm({ onSubmit }: { onSubmit(body: ConsentBody): Promise<unknown> }) {
  const { purposes } = usePurposes();
  const [form, setForm] = useState(EMPTY);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const recorded = onSubmit({
      purposeId: form.purposeId,
      kind: form.kind,
      method: 'verbal',
      text: form.text || null,
      source: form.source || null,
      policyVersion: null,
    });
    if (await accepted(recorded)) setForm({ ...form, text: '', source: '' });
  }
  return (
    <form className="inline" onSubmit={(event) => void submit(event)} aria-label="Record consent">
      <select aria-label="Purpose" required value={form.purposeId} onChange={(e) => setForm({ ...form, purposeId: e.target.value })}>
        <option value="">Purpose…</option>
        {purposes
          .filter((p) => p.status !== 'retired')
          .map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
      </select>
      <select aria-label="Event" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as RecordedKind })}>
        <option value="given">given</option>
        <option value="withdrawn">withdrawn</option>
        <option value="objected">objected</option>
      </select>
      <input
        aria-label="Wording agreed to"
        placeholder="Exact wording agreed to"
        value={form.text}
        onChange={(e) => setForm({ ...form, text: e.target.value })}
      />
      <input
        aria-label="Source"
        placeholder="Where (call, letter…)"
        value={form.source}
        onChange={(e) => setForm({ ...form, source: e.target.value })}
      />
      <button type="submit">Record</button>
    </form>
  );
}

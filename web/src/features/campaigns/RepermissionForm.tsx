import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import type { BodyOf, Schemas } from '../../api/client.ts';
import { OptionSelect } from '../../ui/OptionSelect.tsx';
import type { Purpose } from '../consent/usePurposes.ts';

const EMPTY = { name: '', purposeId: '', templateId: '', inactiveMonths: 12, confirmWithinDays: 14 };

interface Props {
  purposes: Purpose[];
  templates: Array<Schemas['Template']>;
  onSubmit(campaign: BodyOf<'/api/v1/repermission-campaigns'>): Promise<unknown>;
}

/** Asks those whose consent has grown old to confirm it; those who do not, lose it when the window closes. */
export function RepermissionForm({ purposes, templates, onSubmit }: Props) {
  const [draft, setDraft] = useState(EMPTY);
  const consentPurposes = purposes.filter((p) => p.legalBasis === 'consent' && p.status === 'active');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await accepted(onSubmit(draft))) setDraft(EMPTY);
  }
  return (
    <form className="record-form" aria-label="New re-permission campaign" onSubmit={(event) => void submit(event)}>
      <h2>Re-permission</h2>
      <label>
        <span>Name</span>
        <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </label>
      <OptionSelect
        label="Purpose (consent)"
        value={draft.purposeId}
        options={consentPurposes}
        onChange={(purposeId) => setDraft({ ...draft, purposeId })}
      />
      <OptionSelect
        label="Template"
        value={draft.templateId}
        options={templates}
        onChange={(templateId) => setDraft({ ...draft, templateId })}
      />
      <label>
        <span>Ask those whose consent is older than (months)</span>
        <input
          type="number"
          min={1}
          value={draft.inactiveMonths}
          onChange={(e) => setDraft({ ...draft, inactiveMonths: Number(e.target.value) })}
        />
      </label>
      <label>
        <span>Expire if not confirmed within (days)</span>
        <input
          type="number"
          min={1}
          max={90}
          value={draft.confirmWithinDays}
          onChange={(e) => setDraft({ ...draft, confirmWithinDays: Number(e.target.value) })}
        />
      </label>
      <div className="actions">
        <button type="submit">Create re-permission campaign</button>
      </div>
    </form>
  );
}

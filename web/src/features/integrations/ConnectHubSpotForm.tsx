import { useState } from 'react';
import { Field } from '../../ui/Field.tsx';
import type { Purpose } from '../consent/usePurposes.ts';
import { ActivePurposeOptions } from './ActivePurposeOptions.tsx';

export interface ConnectionTerms {
  syncEveryHours: number;
  actingAs: 'controller' | 'processor';
  sellsOrShares: boolean;
  purposeId: string | null;
}

export interface HubSpotConnection extends ConnectionTerms {
  label: string;
  baseUrl: string;
  token: string;
}

/** Connects HubSpot with a private-app token, on the terms (schedule, role, purpose) the workspace states. */
export function ConnectHubSpotForm({
  purposes,
  terms,
  onTermsChange,
  onSubmit,
}: {
  purposes: Purpose[];
  terms: ConnectionTerms;
  onTermsChange(terms: ConnectionTerms): void;
  onSubmit(connection: HubSpotConnection): void;
}) {
  const [draft, setDraft] = useState({ label: 'HubSpot', baseUrl: '', token: '' });
  return (
    <form
      className="record-form"
      aria-label="Connect HubSpot"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({ ...draft, ...terms });
      }}
    >
      <h2>Connect HubSpot</h2>
      <Field label="Name">
        <input required value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })} />
      </Field>
      <Field label="Private-app access token">
        <input
          required
          type="password"
          autoComplete="off"
          value={draft.token}
          onChange={(e) => setDraft({ ...draft, token: e.target.value })}
        />
      </Field>
      <Field label="API root (leave empty for api.hubapi.com)">
        <input value={draft.baseUrl} onChange={(e) => setDraft({ ...draft, baseUrl: e.target.value })} />
      </Field>
      <Field label="Sync every (hours)">
        <input
          type="number"
          min={1}
          max={168}
          value={terms.syncEveryHours}
          onChange={(e) => onTermsChange({ ...terms, syncEveryHours: Number(e.target.value) })}
        />
      </Field>
      <Field label="Whose data">
        <select
          value={terms.actingAs}
          onChange={(e) => onTermsChange({ ...terms, actingAs: e.target.value as ConnectionTerms['actingAs'] })}
        >
          <option value="controller">ours (we are the controller)</option>
          <option value="processor">the customer's, processed on their behalf (Art. 28)</option>
        </select>
      </Field>
      <Field label="Purpose people are pushed for (each push passes the consent gate for it)">
        <select value={terms.purposeId ?? ''} onChange={(e) => onTermsChange({ ...terms, purposeId: e.target.value || null })}>
          <option value="">none: people are not pushed</option>
          <ActivePurposeOptions purposes={purposes} />
        </select>
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={terms.sellsOrShares}
          onChange={(e) => onTermsChange({ ...terms, sellsOrShares: e.target.checked })}
        />{' '}
        This CRM is a third party we sell or share personal information with (pushes refused for people who opted out)
      </label>
      <div className="actions">
        <button type="submit">Connect and start the initial sync</button>
      </div>
    </form>
  );
}

import { useState } from 'react';
import type { ResponseOf } from '../../api/client.ts';
import { Field } from '../../ui/Field.tsx';

type Settings = ResponseOf<'/api/v1/detection-settings'>;
type Rules = Pick<Settings, 'timezone' | 'workStartHour' | 'workEndHour' | 'failedLoginThreshold' | 'newNetworkAlerts'>;

/** The rules that read the audit trail and open draft incidents. */
export function DetectionRulesForm({ settings, onSubmit }: { settings: Settings; onSubmit(rules: Rules): void }) {
  const [rules, setRules] = useState<Rules>(settings);
  return (
    <form
      className="record-form"
      aria-label="Detection rules"
      onSubmit={(event) => {
        event.preventDefault();
        const { timezone, workStartHour, workEndHour, failedLoginThreshold, newNetworkAlerts } = rules;
        onSubmit({ timezone, workStartHour, workEndHour, failedLoginThreshold, newNetworkAlerts });
      }}
    >
      <h2>Detection rules</h2>
      <p className="muted">Exports of 500 people or more always open a draft. These rules read the audit trail every few minutes.</p>
      <Field label="Time zone of working hours">
        <input value={rules.timezone} onChange={(e) => setRules({ ...rules, timezone: e.target.value })} />
      </Field>
      <Field label="Working hours start">
        <input
          type="number"
          min={0}
          max={23}
          value={rules.workStartHour}
          onChange={(e) => setRules({ ...rules, workStartHour: Number(e.target.value) })}
        />
      </Field>
      <Field label="Working hours end">
        <input
          type="number"
          min={1}
          max={24}
          value={rules.workEndHour}
          onChange={(e) => setRules({ ...rules, workEndHour: Number(e.target.value) })}
        />
      </Field>
      <Field label={`Failed sign-ins within ${settings.failedLoginWindowMinutes} minutes`}>
        <input
          type="number"
          min={3}
          value={rules.failedLoginThreshold}
          onChange={(e) => setRules({ ...rules, failedLoginThreshold: Number(e.target.value) })}
        />
      </Field>
      <Field label="Alert on sign-in from a new network or country">
        <input
          type="checkbox"
          checked={rules.newNetworkAlerts}
          onChange={(e) => setRules({ ...rules, newNetworkAlerts: e.target.checked })}
        />
      </Field>
      <div className="actions">
        <button type="submit">Save rules</button>
      </div>
    </form>
  );
}

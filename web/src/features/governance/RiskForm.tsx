import { useState } from 'react';
import { Field } from '../../ui/Field.tsx';

export interface NewRisk {
  risk: string;
  likelihood: number;
  severity: number;
  mitigations: Array<{ measure: string; owner: string }>;
}

/** A risk to people's rights, scored likelihood × severity, with its mitigation and owner. */
export function RiskForm({ onSubmit }: { onSubmit(risk: NewRisk): void }) {
  const [risk, setRisk] = useState({ risk: '', likelihood: 2, severity: 2, measure: '', owner: '' });
  return (
    <form
      className="record-form"
      aria-label="New risk"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({
          risk: risk.risk,
          likelihood: risk.likelihood,
          severity: risk.severity,
          mitigations: risk.measure ? [{ measure: risk.measure, owner: risk.owner || 'DPO' }] : [],
        });
      }}
    >
      <Field label="Risk">
        <input required value={risk.risk} onChange={(e) => setRisk({ ...risk, risk: e.target.value })} />
      </Field>
      <Field label="Likelihood (1-4)">
        <input
          type="number"
          min={1}
          max={4}
          value={risk.likelihood}
          onChange={(e) => setRisk({ ...risk, likelihood: Number(e.target.value) })}
        />
      </Field>
      <Field label="Severity (1-4)">
        <input
          type="number"
          min={1}
          max={4}
          value={risk.severity}
          onChange={(e) => setRisk({ ...risk, severity: Number(e.target.value) })}
        />
      </Field>
      <Field label="Mitigation">
        <input value={risk.measure} onChange={(e) => setRisk({ ...risk, measure: e.target.value })} />
      </Field>
      <Field label="Owner">
        <input value={risk.owner} onChange={(e) => setRisk({ ...risk, owner: e.target.value })} />
      </Field>
      <div className="actions">
        <button type="submit">Add</button>
      </div>
    </form>
  );
}

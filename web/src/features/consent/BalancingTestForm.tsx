import { useState, type FormEvent } from 'react';
import type { BodyOf } from '../../api/client.ts';

type Test = Omit<BodyOf<'/api/v1/purposes/{id}/balancing-tests'>, 'reviewerId'>;

const AREAS: Array<[keyof Omit<Test, 'outcome' | 'reviewedOn'>, string]> = [
  ['interest', 'Legitimate interest pursued'],
  ['necessity', 'Why the processing is necessary'],
  ['impact', 'Impact on the person and their expectations'],
  ['safeguards', 'Safeguards'],
];

/** The legitimate interest assessment of a purpose (Art. 6(1)(f)): interest, necessity, balance, outcome. */
export function BalancingTestForm({ onSubmit }: { onSubmit(test: Test): Promise<unknown> }) {
  const [values, setValues] = useState<Test>({
    interest: '',
    necessity: '',
    impact: '',
    safeguards: '',
    outcome: 'passed',
    reviewedOn: new Date().toISOString().slice(0, 10),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values).catch(() => undefined);
  };
  return (
    <form className="record-form" onSubmit={submit} aria-label="Balancing test">
      {AREAS.map(([key, label]) => (
        <label key={key}>
          <span>{label}</span>
          <textarea required rows={2} value={values[key]} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
        </label>
      ))}
      <label>
        <span>Outcome</span>
        <select value={values.outcome} onChange={(e) => setValues({ ...values, outcome: e.target.value as Test['outcome'] })}>
          <option value="passed">Passed: interest not overridden</option>
          <option value="failed">Failed: the person's interests prevail</option>
        </select>
      </label>
      <label>
        <span>Reviewed on</span>
        <input type="date" value={values.reviewedOn} onChange={(e) => setValues({ ...values, reviewedOn: e.target.value })} />
      </label>
      <div className="actions">
        <button type="submit">Record balancing test</button>
      </div>
    </form>
  );
}

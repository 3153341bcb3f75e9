import type { BodyOf, ResponseOf } from '../../api/client.ts';
import { labelOf } from '../../ui/labels.ts';
import { ReasonButton } from '../../ui/ReasonButton.tsx';
import { RiskForm } from './RiskForm.tsx';

type Dpia = ResponseOf<'/api/v1/dpias'>['items'][number];
type DpiaPatch = BodyOf<'/api/v1/dpias/{id}', 'patch'>;

/** One impact assessment (Art. 35(7)): its risks, mitigations, residual risk, DPO opinion and sign-off. */
export function DpiaSection({
  dpia,
  activityName,
  canManage,
  addingRisk,
  onAddRisk,
  onChange,
  onSignOff,
  onRiskAdded,
}: {
  dpia: Dpia;
  activityName: string;
  canManage: boolean;
  addingRisk: boolean;
  onAddRisk(): void;
  onChange(patch: DpiaPatch, after?: () => void): void;
  onSignOff(): void;
  onRiskAdded(): void;
}) {
  return (
    <section aria-label={dpia.title}>
      <h2>
        {dpia.title} <span className="badge">{dpia.signedOffAt ? 'signed off' : 'draft'}</span>{' '}
        {dpia.reviewDue && <span className="badge">review due</span>}
      </h2>
      <p className="muted">
        {activityName}; next review {dpia.reviewOn}. <a href={`/api/v1/dpias/${dpia.id}?format=pdf`}>PDF</a>
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Risk</th>
              <th>Likelihood × severity</th>
              <th>Mitigations</th>
            </tr>
          </thead>
          <tbody>
            {dpia.risks.map((item, index) => (
              <tr key={index}>
                <td className="wrap">{item.risk}</td>
                <td>
                  {item.likelihood} × {item.severity} = {item.score} ({labelOf(item.level).toLowerCase()})
                </td>
                <td className="wrap">{item.mitigations.map((m) => `${m.measure} (${m.owner})`).join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canManage && (
        <div className="actions">
          <button className="secondary" onClick={onAddRisk}>
            Add risk
          </button>
          <select
            aria-label="Residual risk"
            value={dpia.residualRisk ?? ''}
            onChange={(e) => onChange({ residualRisk: (e.target.value || null) as Dpia['residualRisk'] })}
          >
            <option value="">residual risk…</option>
            <option value="low">low</option>
            <option value="medium">medium</option>
            <option value="high">high</option>
          </select>
          <ReasonButton
            label="DPO opinion"
            title="Opinion of the data protection officer (Art. 35(2))"
            field="Opinion"
            initial={dpia.dpoOpinion ?? ''}
            submitLabel="Save opinion"
            onSubmit={(opinion) => onChange({ dpoOpinion: opinion })}
          />
          {!dpia.signedOffAt && <button onClick={onSignOff}>Sign off</button>}
        </div>
      )}
      {addingRisk && (
        <RiskForm
          onSubmit={(risk) =>
            onChange({ risks: [...dpia.risks.map(({ score: _score, level: _level, ...rest }) => rest), risk] }, onRiskAdded)
          }
        />
      )}
    </section>
  );
}

import type { ResponseOf } from '../../api/client.ts';

type Cnil = ResponseOf<'/api/v1/compliance/summary'>['cnil'];

const STEP_BADGE: Record<Cnil['steps'][number]['status'], string> = { done: 'done', partial: 'partly done', missing: 'to do' };

/** The CNIL's six steps, each scored with the evidence that supports it. */
export function CnilSteps({ cnil }: { cnil: Cnil }) {
  return (
    <section aria-label="CNIL six steps">
      <h2>CNIL six steps: {cnil.score} / 100</h2>
      <div className="table-scroll">
        <table>
          <tbody>
            {cnil.steps.map((step) => (
              <tr key={step.step}>
                <td className="wrap">{step.step}</td>
                <td>
                  <span className={`badge ${step.status}`}>{STEP_BADGE[step.status]}</span>
                </td>
                <td className="wrap">{step.detail}</td>
                <td className="wrap">
                  {step.evidence.map((evidence, index) => (
                    <span key={evidence.href}>
                      {index > 0 && ' · '}
                      <a href={evidence.href}>{evidence.label}</a>
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

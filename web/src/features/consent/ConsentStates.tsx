import type { Schemas } from '../../api/client.ts';
import { dateOnly, dateTime, labelOf } from '../../ui/labels.ts';
import { BASIS_LABELS, GROUND_LABELS } from './consentLabels.ts';

const mayProcess = (state: Schemas['ConsentState']) =>
  state.canProcess
    ? `yes: ${state.basis ? GROUND_LABELS[state.basis] : 'the legal basis'}${state.exception ? ` (${labelOf(state.exception)})` : ''}`
    : `no (${labelOf(state.refusal ?? 'refused')})`;

/** The person's state per purpose and whether the gate lets the purpose process them, and on what ground. */
export function ConsentStates({ states }: { states: Array<Schemas['ConsentState']> }) {
  if (states.length === 0)
    return (
      <p className="muted">
        No purpose of processing is defined yet: add them under <a href="#/purposes">Purposes</a>.
      </p>
    );
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th>Purpose</th>
            <th>Legal basis</th>
            <th>State</th>
            <th>Since</th>
            <th>May process</th>
          </tr>
        </thead>
        <tbody>
          {states.map((state) => (
            <tr key={state.purposeId}>
              <td>{state.purposeName}</td>
              <td>{BASIS_LABELS[state.legalBasis]}</td>
              <td>
                <span className="badge" data-state={state.state}>
                  {state.state}
                </span>
                {state.validUntil && <span className="muted"> until {dateOnly(state.validUntil)}</span>}
              </td>
              <td>{dateTime(state.since)}</td>
              <td>{mayProcess(state)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

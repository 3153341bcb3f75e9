import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime, labelOf, percent } from '../../ui/labels.ts';
import { CnilSteps } from './CnilSteps.tsx';

/** The compliance dashboard: figures, and the CNIL six steps with evidence. */
export function CompliancePage() {
  const summary = useQuery({
    queryKey: ['compliance-summary'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/compliance/summary', { signal })),
  });
  const data = summary.data;
  if (!data) return <main>{summary.error ? <ErrorMessage error={summary.error} /> : <p className="muted">Loading…</p>}</main>;
  const drill = data.backups.lastDrill;
  return (
    <main>
      <h1>Compliance</h1>
      <CnilSteps cnil={data.cnil} />
      <section aria-label="Legal bases">
        <h2>Legal bases</h2>
        <p>
          {data.people} people held; <strong>{data.peopleWithoutValidBasis}</strong> without a valid legal basis for any active purpose.
        </p>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Consent purpose</th>
                <th>Valid consents</th>
                <th>Pending</th>
                <th>Withdrawn or expired</th>
                <th>Rate</th>
              </tr>
            </thead>
            <tbody>
              {data.consent.map((row) => (
                <tr key={row.purposeId}>
                  <td className="wrap">{row.name}</td>
                  <td>{row.granted}</td>
                  <td>{row.pending}</td>
                  <td>{row.withdrawn}</td>
                  <td>{percent(row.rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-label="Requests">
        <h2>Data subject requests</h2>
        <p>
          {data.dsr.open} open, <strong>{data.dsr.overdue} overdue</strong>, {data.dsr.dueWithin7Days} due within 7 days; next due{' '}
          {dateTime(data.dsr.nextDueAt)}.{' '}
          {Object.entries(data.dsr.byStatus)
            .map(([status, n]) => `${labelOf(status)}: ${n}`)
            .join(', ')}
        </p>
      </section>
      <section aria-label="Art. 14 notices">
        <h2>People not asked themselves (Art. 14)</h2>
        <p>
          <a href="#/notices">{data.art14Notices.overdue} notices overdue</a>, {data.art14Notices.due} due (next{' '}
          {dateTime(data.art14Notices.nextDueAt)}), {data.art14Notices.sent} sent, {data.art14Notices.exempt} exempt by their source.
        </p>
      </section>
      <section aria-label="Refused by connected CRMs">
        <h2>Refused by connected CRMs (Art. 19)</h2>
        {data.connectedCrmRefusals.length === 0 ? (
          <p className="muted">Every erasure, correction and objection owed to a connected CRM was accepted or is still to be tried.</p>
        ) : (
          <ul>
            {data.connectedCrmRefusals.map((refusal) => (
              <li key={`${refusal.integrationId}-${refusal.operation}-${refusal.requestId ?? ''}`}>
                {refusal.label}: {refusal.count} {refusal.operation}
                {refusal.count === 1 ? '' : 's'} refused {refusal.attempts} time{refusal.attempts === 1 ? '' : 's'}
                {refusal.requestId ? (
                  <>
                    {' '}
                    (<a href={`#/requests/${refusal.requestId}`}>request</a>)
                  </>
                ) : null}
                {refusal.lastError ? <span className="muted"> — {refusal.lastError}</span> : null}; retried automatically
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Incidents">
        <h2>Open incidents</h2>
        {data.incidents.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul>
            {data.incidents.map((incident) => (
              <li key={incident.id}>
                <a href="#/incidents">{incident.title}</a> —{' '}
                {incident.level === 'stopped' ? 'clock stopped' : `${incident.hoursRemaining} h left (${labelOf(incident.level)})`}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Retention backlog">
        <h2>Retention backlog</h2>
        <table>
          <tbody>
            {data.retentionBacklog.map((rule) => (
              <tr key={rule.ruleId}>
                <td className="wrap">{rule.name}</td>
                <td>
                  {rule.backlog}
                  {rule.capped ? '+' : ''} to {labelOf(rule.action).toLowerCase()}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-label="Training and transfers">
        <h2>Training and transfers</h2>
        <p>
          Training: {data.training.completed} of {data.training.assignments} completed ({percent(data.training.completionRate)}),{' '}
          {data.training.overdue} overdue.
        </p>
        <p>
          {data.subprocessors.count} sub-processor(s);{' '}
          {data.subprocessors.thirdCountryTransfers.length === 0
            ? 'no transfer outside the EEA.'
            : `transfers outside the EEA: ${data.subprocessors.thirdCountryTransfers.map((t) => `${t.name} (${t.country}, ${t.safeguard})`).join('; ')}.`}
        </p>
        <p>
          {drill
            ? `Restore drill ${dateTime(drill.ranAt)}: backup ${drill.backupId} ${drill.ok ? 'restored and checked' : `FAILED — ${drill.error}`}.`
            : 'No restore drill has run yet.'}
        </p>
      </section>
    </main>
  );
}

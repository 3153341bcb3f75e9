import { useState } from 'react';
import { client, unwrap, type ResponseOf } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime, labelOf } from '../../ui/labels.ts';
import { DetectionRulesForm } from './DetectionRulesForm.tsx';
import { NewIncidentForm } from './NewIncidentForm.tsx';
import { NotificationDecisionForm } from './NotificationDecisionForm.tsx';

type Drafts = ResponseOf<'/api/v1/incidents/{id}/drafts'>;

/** The breach register: clocks, decisions, drafts, and the detection rules. */
export function IncidentsPage() {
  const { data, error, act } = usePageData(['incidents'], async (signal) => ({
    incidents: (await unwrap(client.GET('/api/v1/incidents', { signal }))).items,
    settings: await unwrap(client.GET('/api/v1/detection-settings', { signal })),
  }));
  const [deciding, setDeciding] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Drafts | null>(null);
  const patchIncident = (id: string, status: 'notified' | 'closed') =>
    act(() => unwrap(client.PATCH('/api/v1/incidents/{id}', { params: { path: { id } }, body: { status } })));
  return (
    <main>
      <h1>Incidents</h1>
      <ErrorMessage error={error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Incident</th>
              <th>Status</th>
              <th>72-hour clock</th>
              <th>People</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.incidents.map((incident) => (
              <tr key={incident.id}>
                <td className="wrap">
                  {incident.title}
                  <div className="muted">
                    {incident.source === 'manual' ? 'recorded by hand' : incident.source.replace('detection:', 'detected: ')}
                  </div>
                </td>
                <td>{labelOf(incident.status)}</td>
                <td>
                  {incident.clock.level === 'stopped'
                    ? 'stopped'
                    : `${incident.clock.hoursRemaining} h left — due ${dateTime(incident.clock.deadline)}`}
                  {incident.jurisdictionClocks.map((clock) => (
                    <div key={clock.jurisdiction} className="muted" title={`${clock.text} (${clock.reference})`}>
                      {clock.name}: {clock.authority} {clock.deadline ? `by ${dateTime(clock.deadline)}` : '(no fixed period)'}
                    </div>
                  ))}
                </td>
                <td>{incident.affectedPersons || incident.approxPersons || '—'}</td>
                <td className="actions">
                  {incident.notificationRequired === null && (
                    <button className="secondary" onClick={() => setDeciding(incident.id)}>
                      Decide
                    </button>
                  )}
                  {incident.notificationRequired && !incident.authorityNotifiedAt && (
                    <button onClick={patchIncident(incident.id, 'notified')}>Mark authority notified</button>
                  )}
                  <button
                    className="secondary"
                    onClick={act(async () =>
                      setDrafts(await unwrap(client.GET('/api/v1/incidents/{id}/drafts', { params: { path: { id: incident.id } } }))),
                    )}
                  >
                    Drafts
                  </button>
                  {incident.status !== 'closed' && (
                    <button className="secondary" onClick={patchIncident(incident.id, 'closed')}>
                      Close
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {deciding && (
        <NotificationDecisionForm
          onSubmit={(decision) =>
            act(async () => {
              await unwrap(client.POST('/api/v1/incidents/{id}/decision', { params: { path: { id: deciding } }, body: decision }));
              setDeciding(null);
            })()
          }
        />
      )}
      {drafts && (
        <section aria-label="Notification drafts">
          <h2>Notification to the authority (Art. 33(3))</h2>
          <pre>{drafts.authority}</pre>
          <h2>Notification to the people (Art. 34(2))</h2>
          <pre>{drafts.persons}</pre>
        </section>
      )}
      <NewIncidentForm onSubmit={(incident) => act(() => unwrap(client.POST('/api/v1/incidents', { body: incident })))()} />
      {data && (
        <DetectionRulesForm
          settings={data.settings}
          onSubmit={(rules) => act(() => unwrap(client.PATCH('/api/v1/detection-settings', { body: rules })))()}
        />
      )}
    </main>
  );
}

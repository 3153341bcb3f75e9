import { useEffect, useState, type ReactNode } from 'react';
import { del, get, patch, post } from './api.ts';
import { ErrorMessage, pageActions } from './components.tsx';
import { ReasonButton } from './ui/ReasonButton.tsx';

/** Loads from the API, reloads after each action, and shows the last error. */
function useLoader<T>(load: () => Promise<T>, initial: T) {
  const [data, setData] = useState<T>(initial);
  const [error, setError] = useState<unknown>(null);
  const reload = () => {
    load().then(setData, setError);
  };
  useEffect(reload, []);
  return { data, error, act: pageActions(setError, reload) };
}

const when = (value: string | null | undefined) => (value ? new Date(value).toLocaleString() : '—');
const percent = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label>
      <span>{label}</span>
      {children}
    </label>
  );
}

const STEP_BADGE: Record<string, string> = { done: 'done', partial: 'partly done', missing: 'to do' };

/** The compliance dashboard: figures, and the CNIL six steps with evidence. */
export function CompliancePage() {
  const { data, error } = useLoader<any>(() => get('/api/v1/compliance/summary'), null);
  if (!data) return <main>{error ? <ErrorMessage error={error} /> : <p className="muted">Loading…</p>}</main>;
  return (
    <main>
      <h1>Compliance</h1>
      <section aria-label="CNIL six steps">
        <h2>CNIL six steps: {data.cnil.score} / 100</h2>
        <table>
          <tbody>
            {data.cnil.steps.map((step: any) => (
              <tr key={step.step}>
                <td>{step.step}</td>
                <td>
                  <span className={`badge ${step.status}`}>{STEP_BADGE[step.status]}</span>
                </td>
                <td>{step.detail}</td>
                <td>
                  {step.evidence.map((evidence: any, index: number) => (
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
      </section>
      <section aria-label="Legal bases">
        <h2>Legal bases</h2>
        <p>
          {data.people} people held; <strong>{data.peopleWithoutValidBasis}</strong> without a valid legal basis for any active purpose.
        </p>
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
            {data.consent.map((row: any) => (
              <tr key={row.purposeId}>
                <td>{row.name}</td>
                <td>{row.granted}</td>
                <td>{row.pending}</td>
                <td>{row.withdrawn}</td>
                <td>{percent(row.rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-label="Requests">
        <h2>Data subject requests</h2>
        <p>
          {data.dsr.open} open, <strong>{data.dsr.overdue} overdue</strong>, {data.dsr.dueWithin7Days} due within 7 days; next due{' '}
          {when(data.dsr.nextDueAt)}.{' '}
          {Object.entries(data.dsr.byStatus)
            .map(([status, n]) => `${status}: ${n}`)
            .join(', ')}
        </p>
      </section>
      <section aria-label="Incidents">
        <h2>Open incidents</h2>
        {data.incidents.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul>
            {data.incidents.map((incident: any) => (
              <li key={incident.id}>
                <a href="#/incidents">{incident.title}</a> —{' '}
                {incident.level === 'stopped' ? 'clock stopped' : `${incident.hoursRemaining} h left (${incident.level})`}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Retention backlog">
        <h2>Retention backlog</h2>
        <table>
          <tbody>
            {data.retentionBacklog.map((rule: any) => (
              <tr key={rule.ruleId}>
                <td>{rule.name}</td>
                <td>
                  {rule.backlog}
                  {rule.capped ? '+' : ''} to {rule.action}
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
            : `transfers outside the EEA: ${data.subprocessors.thirdCountryTransfers.map((t: any) => `${t.name} (${t.country}, ${t.safeguard})`).join('; ')}.`}
        </p>
        <p>
          {data.backups.lastDrill
            ? `Restore drill ${new Date(data.backups.lastDrill.ranAt).toLocaleString()}: backup ${data.backups.lastDrill.backupId} ${data.backups.lastDrill.ok ? 'restored and checked' : `FAILED — ${data.backups.lastDrill.error}`}.`
            : 'No restore drill has run yet.'}
        </p>
      </section>
    </main>
  );
}

/** The breach register: clocks, decisions, drafts, and the detection rules. */
export function IncidentsPage() {
  const { data, error, act } = useLoader(
    async () => ({
      incidents: (await get<{ items: any[] }>('/api/v1/incidents')).items,
      settings: await get<any>('/api/v1/detection-settings'),
    }),
    { incidents: [] as any[], settings: null as any },
  );
  const [draft, setDraft] = useState({ title: '', nature: '', awareAt: '' });
  const [decision, setDecision] = useState<{ id: string; required: boolean; reason: string } | null>(null);
  const [drafts, setDrafts] = useState<{ id: string; authority: string; persons: string } | null>(null);
  const [settings, setSettings] = useState<any>(null);
  useEffect(() => setSettings(data.settings), [data.settings]);
  return (
    <main>
      <h1>Incidents</h1>
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th>Incident</th>
            <th>Status</th>
            <th>72-hour clock</th>
            <th>People</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {data.incidents.map((incident) => (
            <tr key={incident.id}>
              <td>
                {incident.title}
                <div className="muted">
                  {incident.source === 'manual' ? 'recorded by hand' : incident.source.replace('detection:', 'detected: ')}
                </div>
              </td>
              <td>{incident.status}</td>
              <td>
                {incident.clock.level === 'stopped'
                  ? 'stopped'
                  : `${incident.clock.hoursRemaining} h left — due ${when(incident.clock.deadline)}`}
                {incident.jurisdictionClocks.map((clock: any) => (
                  <div key={clock.jurisdiction} className="muted" title={`${clock.text} (${clock.reference})`}>
                    {clock.name}: {clock.authority} {clock.deadline ? `by ${when(clock.deadline)}` : '(no fixed period)'}
                  </div>
                ))}
              </td>
              <td>{incident.affectedPersons || incident.approxPersons || '—'}</td>
              <td className="actions">
                {incident.notificationRequired === null && (
                  <button className="secondary" onClick={() => setDecision({ id: incident.id, required: true, reason: '' })}>
                    Decide
                  </button>
                )}
                {incident.notificationRequired && !incident.authorityNotifiedAt && (
                  <button onClick={act(() => patch(`/api/v1/incidents/${incident.id}`, { status: 'notified' }))}>
                    Mark authority notified
                  </button>
                )}
                <button
                  className="secondary"
                  onClick={act(async () => setDrafts({ id: incident.id, ...(await get<any>(`/api/v1/incidents/${incident.id}/drafts`)) }))}
                >
                  Drafts
                </button>
                {incident.status !== 'closed' && (
                  <button className="secondary" onClick={act(() => patch(`/api/v1/incidents/${incident.id}`, { status: 'closed' }))}>
                    Close
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {decision && (
        <form
          className="record-form"
          aria-label="Notification decision"
          onSubmit={act(async () => {
            await post(`/api/v1/incidents/${decision.id}/decision`, { notificationRequired: decision.required, reason: decision.reason });
            setDecision(null);
          })}
        >
          <h2>Must the supervisory authority be notified?</h2>
          <Field label="Decision">
            <select
              value={decision.required ? 'yes' : 'no'}
              onChange={(e) => setDecision({ ...decision, required: e.target.value === 'yes' })}
            >
              <option value="yes">Yes: likely risk to people</option>
              <option value="no">No: unlikely to result in a risk</option>
            </select>
          </Field>
          <Field label="Why">
            <textarea
              required
              minLength={10}
              value={decision.reason}
              onChange={(e) => setDecision({ ...decision, reason: e.target.value })}
            />
          </Field>
          <div className="actions">
            <button type="submit">Record decision</button>
          </div>
        </form>
      )}
      {drafts && (
        <section aria-label="Notification drafts">
          <h2>Notification to the authority (Art. 33(3))</h2>
          <pre>{drafts.authority}</pre>
          <h2>Notification to the people (Art. 34(2))</h2>
          <pre>{drafts.persons}</pre>
        </section>
      )}
      <form
        className="record-form"
        aria-label="New incident"
        onSubmit={act(async () => {
          await post('/api/v1/incidents', {
            title: draft.title,
            nature: draft.nature,
            ...(draft.awareAt ? { awareAt: new Date(draft.awareAt).toISOString() } : {}),
          });
          setDraft({ title: '', nature: '', awareAt: '' });
        })}
      >
        <h2>Record an incident</h2>
        <Field label="Title">
          <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
        </Field>
        <Field label="What happened">
          <textarea value={draft.nature} onChange={(e) => setDraft({ ...draft, nature: e.target.value })} />
        </Field>
        <Field label="Became aware at (default now)">
          <input type="datetime-local" value={draft.awareAt} onChange={(e) => setDraft({ ...draft, awareAt: e.target.value })} />
        </Field>
        <div className="actions">
          <button type="submit">Record</button>
        </div>
      </form>
      {settings && (
        <form
          className="record-form"
          aria-label="Detection rules"
          onSubmit={act(() =>
            patch('/api/v1/detection-settings', {
              timezone: settings.timezone,
              workStartHour: settings.workStartHour,
              workEndHour: settings.workEndHour,
              failedLoginThreshold: settings.failedLoginThreshold,
              newNetworkAlerts: settings.newNetworkAlerts,
            }),
          )}
        >
          <h2>Detection rules</h2>
          <p className="muted">Exports of 500 people or more always open a draft. These rules read the audit trail every few minutes.</p>
          <Field label="Time zone of working hours">
            <input value={settings.timezone} onChange={(e) => setSettings({ ...settings, timezone: e.target.value })} />
          </Field>
          <Field label="Working hours start">
            <input
              type="number"
              min={0}
              max={23}
              value={settings.workStartHour}
              onChange={(e) => setSettings({ ...settings, workStartHour: Number(e.target.value) })}
            />
          </Field>
          <Field label="Working hours end">
            <input
              type="number"
              min={1}
              max={24}
              value={settings.workEndHour}
              onChange={(e) => setSettings({ ...settings, workEndHour: Number(e.target.value) })}
            />
          </Field>
          <Field label={`Failed sign-ins within ${settings.failedLoginWindowMinutes} minutes`}>
            <input
              type="number"
              min={3}
              value={settings.failedLoginThreshold}
              onChange={(e) => setSettings({ ...settings, failedLoginThreshold: Number(e.target.value) })}
            />
          </Field>
          <Field label="Alert on sign-in from a new network or country">
            <input
              type="checkbox"
              checked={settings.newNetworkAlerts}
              onChange={(e) => setSettings({ ...settings, newNetworkAlerts: e.target.checked })}
            />
          </Field>
          <div className="actions">
            <button type="submit">Save rules</button>
          </div>
        </form>
      )}
    </main>
  );
}

/** The Art. 30 register, its exports and versions. */
export function RegisterPage({ canManage }: { canManage: boolean }) {
  const { data, error, act } = useLoader(
    async () => ({
      register: await get<any>('/api/v1/register'),
      versions: (await get<{ items: any[] }>('/api/v1/register/versions')).items,
    }),
    { register: null as any, versions: [] as any[] },
  );
  return (
    <main>
      <h1>Register of processing activities</h1>
      <ErrorMessage error={error} />
      <p className="actions">
        <a href="/api/v1/register?format=pdf">PDF</a> <a href="/api/v1/register?format=csv">CSV</a>{' '}
        <a href="/api/v1/register?format=json">JSON</a>
        {canManage && <button onClick={act(() => post('/api/v1/register/versions'))}>Save as a version</button>}
      </p>
      {data.register?.activities.map((activity: any) => (
        <section key={activity.id} aria-label={activity.name}>
          <h2>{activity.name}</h2>
          <dl>
            <dt>Purpose</dt>
            <dd>{activity.purpose}</dd>
            <dt>Legal basis</dt>
            <dd>{activity.legalBasis.replace('_', ' ')}</dd>
            <dt>Categories of persons</dt>
            <dd>{activity.categoriesOfPersons.join('; ')}</dd>
            <dt>Categories of data</dt>
            <dd>{activity.categoriesOfData.join('; ')}</dd>
            <dt>Recipients</dt>
            <dd>{activity.recipients.join('; ') || '—'}</dd>
            <dt>Transfers outside the EEA</dt>
            <dd>{activity.transfers.join('; ') || 'none'}</dd>
            <dt>Retention</dt>
            <dd>{activity.retention}</dd>
            {activity.sellsOrShares && (
              <>
                <dt>Sale or sharing</dt>
                <dd>yes: refused for people who opted out</dd>
              </>
            )}
          </dl>
        </section>
      ))}
      <h2>Jurisdictions</h2>
      {canManage && data.register && (
        <label>
          <span>Workspace default (for people whose residence points to no profile)</span>
          <select
            aria-label="Default jurisdiction"
            value={data.register.jurisdictions.find((j: any) => j.workspaceDefault)?.key ?? 'gdpr'}
            onChange={(e) => act(() => patch('/api/v1/workspace', { defaultJurisdiction: e.target.value }))()}
          >
            <option value="gdpr">GDPR (EU/EEA)</option>
            <option value="uk_gdpr">UK GDPR</option>
            <option value="ccpa">CCPA/CPRA (California)</option>
            <option value="lgpd">LGPD (Brazil)</option>
          </select>
        </label>
      )}
      {data.register?.jurisdictions.map((jurisdiction: any) => (
        <section key={jurisdiction.key} aria-label={jurisdiction.name}>
          <h3>
            {jurisdiction.name} {jurisdiction.workspaceDefault && <span className="badge">default</span>}{' '}
            <span className="muted">{jurisdiction.people} people</span>
          </h3>
          <dl>
            <dt>Law</dt>
            <dd>{jurisdiction.law}</dd>
            <dt>Rights</dt>
            <dd>{jurisdiction.rights.map((right: any) => `${right.title} (${right.reference})`).join('; ')}</dd>
            <dt>Response deadline</dt>
            <dd>{jurisdiction.responseDeadline}</dd>
            <dt>Identity verification</dt>
            <dd>{jurisdiction.verification}</dd>
            <dt>Marketing</dt>
            <dd>{jurisdiction.marketing}</dd>
            <dt>Sale and sharing</dt>
            <dd>{jurisdiction.saleSharing}</dd>
            <dt>Breach notification</dt>
            <dd>{jurisdiction.breachNotification}</dd>
          </dl>
        </section>
      ))}
      <h2>Versions</h2>
      <ul>
        {data.versions.map((version) => (
          <li key={version.version}>
            Version {version.version}, {when(version.createdAt)}: {version.changes.join('; ') || 'first version'}
          </li>
        ))}
      </ul>
    </main>
  );
}

/** Impact assessments: risks scored, DPO opinion, sign-off, review date. */
export function DpiasPage({ canManage }: { canManage: boolean }) {
  const { data, error, act } = useLoader(
    async () => ({ dpias: (await get<{ items: any[] }>('/api/v1/dpias')).items, register: await get<any>('/api/v1/register') }),
    { dpias: [] as any[], register: null as any },
  );
  const [draft, setDraft] = useState({ activityId: '', title: '', reviewOn: '' });
  const [adding, setAdding] = useState<string | null>(null);
  const activities: any[] = data.register?.activities ?? [];
  const nameOf = (id: string) => activities.find((a) => a.id === id)?.name ?? id;
  return (
    <main>
      <h1>Impact assessments</h1>
      <ErrorMessage error={error} />
      {data.dpias.map((dpia) => (
        <section key={dpia.id} aria-label={dpia.title}>
          <h2>
            {dpia.title} <span className="badge">{dpia.signedOffAt ? 'signed off' : 'draft'}</span>{' '}
            {dpia.reviewDue && <span className="badge">review due</span>}
          </h2>
          <p className="muted">
            {nameOf(dpia.activityId)}; next review {dpia.reviewOn}. <a href={`/api/v1/dpias/${dpia.id}?format=pdf`}>PDF</a>
          </p>
          <table>
            <thead>
              <tr>
                <th>Risk</th>
                <th>Likelihood × severity</th>
                <th>Mitigations</th>
              </tr>
            </thead>
            <tbody>
              {dpia.risks.map((item: any, index: number) => (
                <tr key={index}>
                  <td>{item.risk}</td>
                  <td>
                    {item.likelihood} × {item.severity} = {item.score} ({item.level})
                  </td>
                  <td>{item.mitigations.map((m: any) => `${m.measure} (${m.owner})`).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canManage && (
            <div className="actions">
              <button className="secondary" onClick={() => setAdding(dpia.id)}>
                Add risk
              </button>
              <select
                aria-label="Residual risk"
                value={dpia.residualRisk ?? ''}
                onChange={(e) => act(() => patch(`/api/v1/dpias/${dpia.id}`, { residualRisk: e.target.value || null }))()}
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
                onSubmit={(opinion) => void act(() => patch(`/api/v1/dpias/${dpia.id}`, { dpoOpinion: opinion }))()}
              />
              {!dpia.signedOffAt && <button onClick={act(() => post(`/api/v1/dpias/${dpia.id}/sign-off`))}>Sign off</button>}
            </div>
          )}
          {adding === dpia.id && (
            <RiskForm
              onSubmit={(item) =>
                act(async () => {
                  await patch(`/api/v1/dpias/${dpia.id}`, {
                    risks: [...dpia.risks.map(({ score: _score, level: _level, ...rest }: any) => rest), item],
                  });
                  setAdding(null);
                })()
              }
            />
          )}
        </section>
      ))}
      {canManage && (
        <form className="record-form" aria-label="New impact assessment" onSubmit={act(() => post('/api/v1/dpias', draft))}>
          <h2>New impact assessment</h2>
          <Field label="Activity">
            <select required value={draft.activityId} onChange={(e) => setDraft({ ...draft, activityId: e.target.value })}>
              <option value="">choose…</option>
              {activities.map((activity) => (
                <option key={activity.id} value={activity.id}>
                  {activity.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Title">
            <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
          </Field>
          <Field label="Review on">
            <input required type="date" value={draft.reviewOn} onChange={(e) => setDraft({ ...draft, reviewOn: e.target.value })} />
          </Field>
          <div className="actions">
            <button type="submit">Start</button>
          </div>
        </form>
      )}
    </main>
  );
}

function RiskForm({
  onSubmit,
}: {
  onSubmit(risk: { risk: string; likelihood: number; severity: number; mitigations: Array<{ measure: string; owner: string }> }): void;
}) {
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

/** Sub-processors, where they are and under which safeguard. */
export function SubprocessorsPage({ canManage, workspaceSlug }: { canManage: boolean; workspaceSlug: string }) {
  const { data, error, act } = useLoader(async () => (await get<{ items: any[] }>('/api/v1/subprocessors')).items, [] as any[]);
  const empty = { name: '', service: '', country: '', safeguard: 'eea', sccModule: '', sccVersion: '', agreementRef: '' };
  const [draft, setDraft] = useState(empty);
  return (
    <main>
      <h1>Sub-processors</h1>
      <ErrorMessage error={error} />
      <p>
        Public page: <a href={`/privacy/${workspaceSlug}/subprocessors`}>/privacy/{workspaceSlug}/subprocessors</a>
      </p>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Service</th>
            <th>Country</th>
            <th>Safeguard</th>
            <th>Agreement</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {data
            .filter((p) => p.active)
            .map((processor) => (
              <tr key={processor.id}>
                <td>{processor.name}</td>
                <td>{processor.service}</td>
                <td>
                  {processor.country} {processor.thirdCountryTransfer && <span className="badge">outside the EEA</span>}
                </td>
                <td>
                  {processor.safeguard === 'sccs' ? `SCCs module ${processor.sccModule} (${processor.sccVersion})` : processor.safeguard}
                </td>
                <td>{processor.agreementRef || '—'}</td>
                <td>
                  {canManage && (
                    <button className="secondary" onClick={act(() => del(`/api/v1/subprocessors/${processor.id}`))}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
      {canManage && (
        <form
          className="record-form"
          aria-label="New sub-processor"
          onSubmit={act(async () => {
            await post('/api/v1/subprocessors', {
              ...draft,
              country: draft.country.toUpperCase(),
              sccModule: draft.sccModule ? Number(draft.sccModule) : null,
              sccVersion: draft.sccVersion || null,
            });
            setDraft(empty);
          })}
        >
          <h2>Add a sub-processor</h2>
          <Field label="Name">
            <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
          </Field>
          <Field label="Service">
            <input required value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })} />
          </Field>
          <Field label="Country (ISO code)">
            <input required maxLength={2} value={draft.country} onChange={(e) => setDraft({ ...draft, country: e.target.value })} />
          </Field>
          <Field label="Safeguard">
            <select value={draft.safeguard} onChange={(e) => setDraft({ ...draft, safeguard: e.target.value })}>
              <option value="eea">within the EEA</option>
              <option value="adequacy">adequacy decision</option>
              <option value="sccs">standard contractual clauses</option>
              <option value="bcr">binding corporate rules</option>
            </select>
          </Field>
          {draft.safeguard === 'sccs' && (
            <>
              <Field label="SCC module (1-4)">
                <input
                  type="number"
                  min={1}
                  max={4}
                  value={draft.sccModule}
                  onChange={(e) => setDraft({ ...draft, sccModule: e.target.value })}
                />
              </Field>
              <Field label="SCC version">
                <input
                  value={draft.sccVersion}
                  placeholder="2021/914"
                  onChange={(e) => setDraft({ ...draft, sccVersion: e.target.value })}
                />
              </Field>
            </>
          )}
          <Field label="Agreement reference">
            <input value={draft.agreementRef} onChange={(e) => setDraft({ ...draft, agreementRef: e.target.value })} />
          </Field>
          <div className="actions">
            <button type="submit">Add</button>
          </div>
        </form>
      )}
    </main>
  );
}

const ROLES = ['administrator', 'company_manager', 'marketing_manager', 'sales_manager', 'salesperson', 'junior_salesperson'];

/** Your training, and for managers the modules and who is overdue. */
export function TrainingPage({ canManage }: { canManage: boolean }) {
  const { data, error, act } = useLoader(
    async () => ({
      mine: (await get<{ items: any[] }>('/api/v1/training-assignments/mine')).items,
      modules: canManage ? (await get<{ items: any[] }>('/api/v1/training-modules')).items : [],
      overdue: canManage ? (await get<{ items: any[] }>('/api/v1/training-assignments?overdue=true')).items : [],
    }),
    { mine: [] as any[], modules: [] as any[], overdue: [] as any[] },
  );
  const [scores, setScores] = useState<Record<string, string>>({});
  const [draft, setDraft] = useState({ title: '', content: '', roles: ['salesperson'] as string[], refresherDays: '', passScore: '70' });
  return (
    <main>
      <h1>Training</h1>
      <ErrorMessage error={error} />
      <h2>Your training</h2>
      <table>
        <tbody>
          {data.mine.map((assignment) => (
            <tr key={assignment.id}>
              <td>{assignment.moduleTitle}</td>
              <td>
                {assignment.completedAt
                  ? `completed ${when(assignment.completedAt)} (score ${assignment.score})`
                  : `due ${when(assignment.dueAt)}${assignment.overdue ? ' — overdue' : ''}`}
              </td>
              <td className="actions">
                {!assignment.completedAt && (
                  <>
                    <input
                      aria-label={`Quiz score for ${assignment.moduleTitle}`}
                      type="number"
                      min={0}
                      max={100}
                      value={scores[assignment.id] ?? ''}
                      onChange={(e) => setScores({ ...scores, [assignment.id]: e.target.value })}
                    />
                    <button
                      onClick={act(() =>
                        post(`/api/v1/training-assignments/${assignment.id}/complete`, { score: Number(scores[assignment.id] ?? 0) }),
                      )}
                    >
                      Complete
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canManage && (
        <>
          <h2>Modules</h2>
          <table>
            <tbody>
              {data.modules.map((module) => (
                <tr key={module.id}>
                  <td>
                    {module.title} {module.archived && <span className="badge">archived</span>}
                  </td>
                  <td>{module.roles.join(', ')}</td>
                  <td>
                    {module.completed} / {module.assigned} completed
                  </td>
                  <td>{module.refresherDays ? `refresher every ${module.refresherDays} days` : 'once'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Overdue</h2>
          <ul>
            {data.overdue.map((assignment) => (
              <li key={assignment.id}>
                {assignment.moduleTitle}: member {assignment.memberId.slice(0, 8)}, due {when(assignment.dueAt)}
              </li>
            ))}
          </ul>
          <form
            className="record-form"
            aria-label="New training module"
            onSubmit={act(() =>
              post('/api/v1/training-modules', {
                title: draft.title,
                content: draft.content,
                roles: draft.roles,
                refresherDays: draft.refresherDays ? Number(draft.refresherDays) : null,
                passScore: Number(draft.passScore),
              }),
            )}
          >
            <h3>New module</h3>
            <Field label="Title">
              <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
            </Field>
            <Field label="Content or link">
              <textarea value={draft.content} onChange={(e) => setDraft({ ...draft, content: e.target.value })} />
            </Field>
            <fieldset>
              <legend>Roles that must take it</legend>
              {ROLES.map((role) => (
                <label key={role}>
                  <input
                    type="checkbox"
                    checked={draft.roles.includes(role)}
                    onChange={(e) =>
                      setDraft({ ...draft, roles: e.target.checked ? [...draft.roles, role] : draft.roles.filter((r) => r !== role) })
                    }
                  />{' '}
                  {role.replace('_', ' ')}
                </label>
              ))}
            </fieldset>
            <Field label="Refresher every (days)">
              <input
                type="number"
                min={30}
                value={draft.refresherDays}
                onChange={(e) => setDraft({ ...draft, refresherDays: e.target.value })}
              />
            </Field>
            <Field label="Pass mark">
              <input
                type="number"
                min={0}
                max={100}
                value={draft.passScore}
                onChange={(e) => setDraft({ ...draft, passScore: e.target.value })}
              />
            </Field>
            <div className="actions">
              <button type="submit">Add module</button>
            </div>
          </form>
        </>
      )}
    </main>
  );
}

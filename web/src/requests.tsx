import { useEffect, useState, type FormEvent } from 'react';
import { api, get, post, query, type Page } from './api.ts';
import { ErrorMessage } from './components.tsx';
import { navigate } from './router.ts';
import { ReasonButton } from './ui/ReasonButton.tsx';
import { ConfirmButton } from './ui/ConfirmButton.tsx';

const TYPES = [
  'access',
  'portability',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'opt_out_sale_sharing',
  'limit_sensitive',
] as const;
const JURISDICTION_LABELS: Record<string, string> = { gdpr: 'GDPR', uk_gdpr: 'UK GDPR', ccpa: 'CCPA/CPRA', lgpd: 'LGPD' };
const CHANNELS = ['email', 'phone', 'letter', 'in_person'] as const;
const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');

function DeadlineBadge({ request }: { request: any }) {
  const label = { on_time: 'on time', near_due: 'due soon', overdue: 'overdue', closed: 'closed' }[request.deadline as string];
  return (
    <span className="badge" data-deadline={request.deadline}>
      {label}
    </span>
  );
}

/** The queue of data subject requests, soonest deadline first, with filters and a "log a request" form. */
export function RequestsPage() {
  const [filters, setFilters] = useState({ status: 'open', type: '', deadline: '', sort: 'dueAt' });
  const [items, setItems] = useState<any[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [summary, setSummary] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [logging, setLogging] = useState(false);
  const load = (after: string | null = null) => {
    get<Page<any>>(`/api/v1/dsr-requests${query({ ...filters, limit: 50, cursor: after ?? undefined })}`).then((page) => {
      setItems((current) => (after ? [...current, ...page.items] : page.items));
      setCursor(page.nextCursor);
    }, setError);
    get('/api/v1/dsr-requests/summary').then(setSummary, setError);
  };
  useEffect(() => load(), [filters]);
  const select = (key: keyof typeof filters, label: string, options: Array<[string, string]>) => (
    <select aria-label={label} value={filters[key]} onChange={(e) => setFilters({ ...filters, [key]: e.target.value })}>
      {options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  );
  return (
    <main>
      <header className="page-header">
        <h1>Data subject requests</h1>
        <button onClick={() => setLogging(!logging)}>{logging ? 'Close' : 'Log a request'}</button>
      </header>
      {summary && (
        <p className="summary" aria-label="Deadlines">
          <strong>{summary.open}</strong> open · <span className={summary.nearDue ? 'warn' : ''}>{summary.nearDue} due within a week</span>{' '}
          · <span className={summary.overdue ? 'error' : ''}>{summary.overdue} overdue</span>
        </p>
      )}
      {logging && (
        <LogRequestForm
          onLogged={(request) => {
            setLogging(false);
            navigate(`requests/${request.id}`);
          }}
        />
      )}
      <div className="toolbar">
        {select('status', 'Status', [
          ['open', 'Open'],
          ['', 'All'],
          ['received', 'Received'],
          ['verifying', 'Verifying'],
          ['in_progress', 'In progress'],
          ['completed', 'Completed'],
          ['rejected', 'Rejected'],
        ])}
        {select('type', 'Type', [['', 'All types'], ...TYPES.map((t): [string, string] => [t, t])])}
        {select('deadline', 'Deadline', [
          ['', 'Any deadline'],
          ['near_due', 'Due within a week'],
          ['overdue', 'Overdue'],
        ])}
        {select('sort', 'Sort', [
          ['dueAt', 'Soonest deadline'],
          ['-receivedAt', 'Newest'],
        ])}
      </div>
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th>Type</th>
            <th>Requester</th>
            <th>Received</th>
            <th>Due</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {items.map((request) => (
            <tr key={request.id}>
              <td>
                <a href={`#/requests/${request.id}`}>{request.type.replace(/_/g, ' ')}</a>{' '}
                <span className="badge">{JURISDICTION_LABELS[request.jurisdiction] ?? request.jurisdiction}</span>{' '}
                <span className="muted">via {request.channel.replace('_', ' ')}</span>
              </td>
              <td>{request.requester.email}</td>
              <td>{day(request.receivedAt)}</td>
              <td>
                {day(request.dueAt)} <DeadlineBadge request={request} />
              </td>
              <td>{request.status.replace('_', ' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <p className="muted">No requests match.</p>}
      {cursor && (
        <button className="secondary" onClick={() => load(cursor)}>
          Load more
        </button>
      )}
    </main>
  );
}

function LogRequestForm({ onLogged }: { onLogged(request: any): void }) {
  const [values, setValues] = useState({
    type: 'access',
    channel: 'email',
    email: '',
    name: '',
    details: '',
    identityStatus: 'unverified',
    identityMethod: '',
  });
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      onLogged(
        await post('/api/v1/dsr-requests', {
          ...values,
          name: values.name || null,
          details: values.details || null,
          identityMethod: values.identityMethod || null,
        }),
      );
    } catch (caught) {
      setError(caught);
    }
  }
  const field = (key: keyof typeof values, label: string, type = 'text') => (
    <label>
      <span>{label}</span>
      <input type={type} value={values[key]} required={key === 'email'} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
    </label>
  );
  return (
    <form className="record-form" aria-label="Log a request" onSubmit={submit}>
      <label>
        <span>Type</span>
        <select value={values.type} onChange={(e) => setValues({ ...values, type: e.target.value })}>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        <span>Received by</span>
        <select value={values.channel} onChange={(e) => setValues({ ...values, channel: e.target.value })}>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {c.replace('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      {field('email', 'Requester email', 'email')}
      {field('name', 'Requester name')}
      {field('details', 'What they asked')}
      <label>
        <span>Identity</span>
        <select value={values.identityStatus} onChange={(e) => setValues({ ...values, identityStatus: e.target.value })}>
          <option value="unverified">not verified yet</option>
          <option value="verified">verified</option>
        </select>
      </label>
      {field('identityMethod', 'Verified how')}
      <div className="actions">
        <button type="submit">Log request (sends a receipt)</button>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}

/** One request: the person's records, the deadline, the steps, and the evidence. */
export function RequestPage({ id }: { id: string }) {
  const [request, setRequest] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  useEffect(() => void get(`/api/v1/dsr-requests/${id}`).then(setRequest, setError), [id]);
  if (!request) return <main>{error ? <ErrorMessage error={error} /> : <p className="muted">Loading…</p>}</main>;
  const open = request.status !== 'completed' && request.status !== 'rejected';
  const act = (fn: () => Promise<any>) => async () => {
    setError(null);
    try {
      setRequest(await fn());
    } catch (caught) {
      setError(caught);
    }
  };
  const executable = ['access', 'portability', 'erasure', 'restriction', 'objection', 'opt_out_sale_sharing'].includes(request.type);
  return (
    <main>
      <header className="page-header">
        <h1>
          {request.type} request <span className="muted">from {request.requester.email}</span>
        </h1>
      </header>
      <dl className="fields">
        <div>
          <dt>Status</dt>
          <dd>{request.status.replace('_', ' ')}</dd>
        </div>
        <div>
          <dt>Received</dt>
          <dd>
            {day(request.receivedAt)} via {request.channel.replace('_', ' ')}
          </dd>
        </div>
        <div>
          <dt>Due</dt>
          <dd>
            {day(request.dueAt)} <DeadlineBadge request={request} />
            <div className="muted">
              {JURISDICTION_LABELS[request.jurisdiction] ?? request.jurisdiction}: {request.deadlineReference}
            </div>
            {request.extensionReason && <div className="muted">extended: {request.extensionReason}</div>}
          </dd>
        </div>
        <div>
          <dt>Identity</dt>
          <dd>
            {request.identityStatus}
            {request.identityMethod ? ` (${request.identityMethod})` : ''}
          </dd>
        </div>
        <div>
          <dt>Records</dt>
          <dd>
            {request.people.length === 0
              ? 'none holds this address'
              : request.people.map((p: any) => (
                  <div key={p.id}>
                    <a href={`#/${p.type}s/${p.id}`}>{p.name ?? p.type}</a> <span className="muted">({p.type})</span>
                  </div>
                ))}
          </dd>
        </div>
        <div>
          <dt>What they asked</dt>
          <dd>{request.details ?? '—'}</dd>
        </div>
        {request.rejectionReason && (
          <div>
            <dt>Rejected because</dt>
            <dd>{request.rejectionReason}</dd>
          </div>
        )}
      </dl>
      {open && (
        <div className="actions request-actions">
          {request.identityStatus !== 'verified' && (
            <ReasonButton
              label="Mark identity verified"
              title="How was the identity verified?"
              field="Method (kept as evidence), e.g. replied from the address on file, ID document seen and not copied"
              submitLabel="Mark verified"
              onSubmit={(method) =>
                void act(() => api('PATCH', `/api/v1/dsr-requests/${id}`, { identityStatus: 'verified', identityMethod: method }))()
              }
            />
          )}
          {request.status === 'received' && (
            <button className="secondary" onClick={act(() => api('PATCH', `/api/v1/dsr-requests/${id}`, { status: 'in_progress' }))}>
              Start
            </button>
          )}
          {executable && (
            <ConfirmButton
              label={request.type === 'erasure' ? 'Erase and complete' : 'Execute and complete'}
              tone={request.type === 'erasure' ? 'danger' : 'primary'}
              title={request.type === 'erasure' ? 'Erase this person’s data?' : `Carry out this ${request.type} request?`}
              confirmLabel={request.type === 'erasure' ? 'Erase' : 'Carry out'}
              onConfirm={() => void act(() => post(`/api/v1/dsr-requests/${id}/execute`))()}
            >
              <p>
                {request.type === 'erasure'
                  ? 'Every record of the person is erased here (their keys destroyed), connected CRMs are asked to erase too, and the request is completed. This cannot be undone.'
                  : 'The request is carried out and completed; the person is told.'}
              </p>
            </ConfirmButton>
          )}
          {!executable && request.status === 'in_progress' && (
            <button onClick={act(() => api('PATCH', `/api/v1/dsr-requests/${id}`, { status: 'completed' }))}>Mark completed</button>
          )}
          {!request.extendedAt && (
            <ReasonButton
              label="Extend by two months"
              title="Extend the deadline by two months"
              field="Why more time is needed (sent to the person, Art. 12(3))"
              submitLabel="Extend"
              onSubmit={(reason) => void act(() => post(`/api/v1/dsr-requests/${id}/extend`, { reason }))()}
            />
          )}
          <ReasonButton
            label="Reject"
            className="danger"
            title="Reject the request"
            field="Why it is rejected (sent to the person, with their right to complain)"
            submitLabel="Reject request"
            onSubmit={(reason) =>
              void act(() => api('PATCH', `/api/v1/dsr-requests/${id}`, { status: 'rejected', rejectionReason: reason }))()
            }
          />
        </div>
      )}
      <ErrorMessage error={error} />
      {request.recipients?.length > 0 && <ErasureRecipients recipients={request.recipients} />}
      <h2>Evidence</h2>
      <ol className="timeline" aria-label="Evidence">
        {request.evidence.map((item: any) => (
          <li key={item.id}>
            <strong>{item.kind}</strong>{' '}
            <span className="muted">
              {new Date(item.createdAt).toLocaleString()} · {item.actorType.replace('_', ' ')}
            </span>
            <p>{item.summary}</p>
          </li>
        ))}
      </ol>
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => post(`/api/v1/dsr-requests/${id}/evidence`, { kind: 'note', summary: note }))().then(() => setNote(''));
        }}
      >
        <input
          aria-label="Evidence note"
          placeholder="Add a note to the evidence…"
          value={note}
          required
          onChange={(e) => setNote(e.target.value)}
        />
        <button type="submit">Add</button>
      </form>
    </main>
  );
}

interface ErasureRecipient {
  integrationId: string;
  label: string;
  kind: string;
  object: string;
  state: 'done' | 'owed';
  count: number;
  permanent: boolean | null;
  note: string | null;
  at: string | null;
}

/** Art. 19: each connected CRM the erasure was carried to, and what it did (or that it is still owed). */
function ErasureRecipients({ recipients }: { recipients: ErasureRecipient[] }) {
  return (
    <section aria-label="Recipients">
      <h2>Recipients told (Art. 19)</h2>
      <table>
        <thead>
          <tr>
            <th>CRM</th>
            <th>Object</th>
            <th>State</th>
            <th>What it did</th>
          </tr>
        </thead>
        <tbody>
          {recipients.map((r) => (
            <tr key={`${r.integrationId}:${r.object}:${r.state}:${r.note}`}>
              <td>
                {r.label} <span className="badge">{r.kind}</span>
              </td>
              <td>
                {r.count} {r.object}
              </td>
              <td>
                {r.state === 'done'
                  ? `erased${r.permanent ? ' permanently' : ''}${r.at ? `, ${new Date(r.at).toLocaleString()}` : ''}`
                  : 'still owed'}
              </td>
              <td>{r.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

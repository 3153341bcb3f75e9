import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { get, post, query, type Page } from './api.ts';
import { ErrorMessage, pageActions } from './components.tsx';
import { usePurposes } from './consent.tsx';
import { CampaignExclusions } from './features/campaigns/CampaignExclusions.tsx';
import { MarketingSettings } from './features/campaigns/MarketingSettings.tsx';
import { SendConfirmation } from './features/campaigns/SendConfirmation.tsx';
import { ConfirmButton } from './ui/ConfirmButton.tsx';

const reasons = (excluded: Record<string, number>) =>
  Object.entries(excluded)
    .map(([reason, n]) => `${n} ${reason.replaceAll('_', ' ')}`)
    .join(', ') || 'none';

/** Campaigns and re-permission runs, with segments and templates to build them from. */
export function CampaignsPage() {
  const [campaigns, setCampaigns] = useState<any[]>([]);
  const [segments, setSegments] = useState<any[]>([]);
  const [templates, setTemplates] = useState<any[]>([]);
  const [purposes] = usePurposes();
  const [preview, setPreview] = useState<Record<string, any>>({});
  const [showing, setShowing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [campaign, setCampaign] = useState({ name: '', purposeId: '', segmentId: '', templateId: '' });
  const [repermission, setRepermission] = useState({ name: '', purposeId: '', templateId: '', inactiveMonths: 12, confirmWithinDays: 14 });
  const [segment, setSegment] = useState({ name: '', object: 'contact', country: '' });
  const [template, setTemplate] = useState({ name: '', subject: '', body: 'Hello {{firstName}},\n\n' });

  const load = () => {
    get<{ items: any[] }>('/api/v1/campaigns').then((page) => setCampaigns(page.items), setError);
    get<{ items: any[] }>('/api/v1/segments').then((page) => setSegments(page.items), setError);
    get<{ items: any[] }>('/api/v1/email-templates').then((page) => setTemplates(page.items), setError);
  };
  useEffect(load, []);
  // While a send runs, its progress is refreshed.
  useEffect(() => {
    if (!campaigns.some((c) => c.status === 'sending')) return;
    const timer = setTimeout(() => get<{ items: any[] }>('/api/v1/campaigns').then((page) => setCampaigns(page.items)), 2000);
    return () => clearTimeout(timer);
  }, [campaigns]);

  const act = pageActions(setError, load);
  const consentPurposes = purposes.filter((p) => p.legalBasis === 'consent' && p.status === 'active');
  // Every campaign is direct marketing: only purposes declared as such may carry one.
  const marketingPurposes = purposes.filter((p) => p.status === 'active' && p.directMarketing);
  const select = (label: string, value: string, options: any[], onChange: (v: string) => void) => (
    <label>
      <span>{label}</span>
      <select required value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <main className="wide">
      <h1>Campaigns</h1>
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th>Campaign</th>
            <th>Purpose</th>
            <th>Status</th>
            <th>Sent</th>
            <th>Excluded by the gate</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {campaigns.map((c) => (
            <tr key={c.id}>
              <td>
                {c.name} {c.kind === 'repermission' && <span className="badge">re-permission</span>}
              </td>
              <td>{purposes.find((p) => p.id === c.purposeId)?.name ?? ''}</td>
              <td>
                {c.status}
                {c.status === 'stopped' && c.stoppedReason && <div className="error">{c.stoppedReason}</div>}
                {c.kind === 'repermission' && c.confirmBy && (
                  <div className="muted">
                    confirm by {new Date(c.confirmBy).toLocaleDateString()}; {c.expired} expired
                  </div>
                )}
              </td>
              <td>
                {c.sent} / {c.recipients}
                {c.failed > 0 && <span className="error"> ({c.failed} failed)</span>}
              </td>
              <td>
                {c.status === 'draft'
                  ? preview[c.id]
                    ? `${preview[c.id].recipients} would receive it; ${reasons(preview[c.id].excluded)}`
                    : '—'
                  : reasons(c.excluded)}
              </td>
              <td className="actions">
                {c.status === 'draft' && (
                  <>
                    <button
                      className="secondary"
                      onClick={act(async () => setPreview({ ...preview, [c.id]: await get(`/api/v1/campaigns/${c.id}/preview`) }))}
                    >
                      Preview audience
                    </button>
                    <ConfirmButton
                      label="Send"
                      tone="primary"
                      title={`Send “${c.name}”?`}
                      confirmLabel="Send now"
                      onConfirm={() => void act(() => post(`/api/v1/campaigns/${c.id}/send`))()}
                    >
                      <SendConfirmation campaignId={c.id} name={c.name} />
                    </ConfirmButton>
                  </>
                )}
                {c.status === 'sending' && (
                  <button className="danger" onClick={act(() => post(`/api/v1/campaigns/${c.id}/stop`))}>
                    Stop
                  </button>
                )}
                <button className="secondary" aria-expanded={showing === c.id} onClick={() => setShowing(showing === c.id ? null : c.id)}>
                  Excluded people
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {showing && (
        <CampaignExclusions
          campaignId={showing}
          reasons={[
            ...new Set(
              Object.keys(campaigns.find((c) => c.id === showing)?.excluded ?? preview[showing]?.excluded ?? {}).map((key) =>
                key.replace(/_during_send$/, ''),
              ),
            ),
          ]}
        />
      )}

      <div className="columns">
        <form className="record-form" aria-label="New campaign" onSubmit={act(() => post('/api/v1/campaigns', campaign))}>
          <h2>New campaign</h2>
          <label>
            <span>Name</span>
            <input required value={campaign.name} onChange={(e) => setCampaign({ ...campaign, name: e.target.value })} />
          </label>
          {select('Purpose (direct marketing)', campaign.purposeId, marketingPurposes, (purposeId) =>
            setCampaign({ ...campaign, purposeId }),
          )}
          {select('Segment', campaign.segmentId, segments, (segmentId) => setCampaign({ ...campaign, segmentId }))}
          {select('Template', campaign.templateId, templates, (templateId) => setCampaign({ ...campaign, templateId }))}
          <div className="actions">
            <button type="submit">Create campaign</button>
          </div>
        </form>
        <MarketingSettings />
      </div>
      <div className="columns">
        <form
          className="record-form"
          aria-label="New re-permission campaign"
          onSubmit={act(() => post('/api/v1/repermission-campaigns', repermission))}
        >
          <h2>Re-permission</h2>
          <label>
            <span>Name</span>
            <input required value={repermission.name} onChange={(e) => setRepermission({ ...repermission, name: e.target.value })} />
          </label>
          {select('Purpose (consent)', repermission.purposeId, consentPurposes, (purposeId) =>
            setRepermission({ ...repermission, purposeId }),
          )}
          {select('Template', repermission.templateId, templates, (templateId) => setRepermission({ ...repermission, templateId }))}
          <label>
            <span>Ask those whose consent is older than (months)</span>
            <input
              type="number"
              min={1}
              value={repermission.inactiveMonths}
              onChange={(e) => setRepermission({ ...repermission, inactiveMonths: Number(e.target.value) })}
            />
          </label>
          <label>
            <span>Expire if not confirmed within (days)</span>
            <input
              type="number"
              min={1}
              max={90}
              value={repermission.confirmWithinDays}
              onChange={(e) => setRepermission({ ...repermission, confirmWithinDays: Number(e.target.value) })}
            />
          </label>
          <div className="actions">
            <button type="submit">Create re-permission campaign</button>
          </div>
        </form>
      </div>

      <div className="columns">
        <form
          className="record-form"
          aria-label="New segment"
          onSubmit={act(() =>
            post('/api/v1/segments', {
              name: segment.name,
              object: segment.object,
              filter: segment.country ? { country: segment.country } : {},
            }),
          )}
        >
          <h2>Segments</h2>
          <ul>
            {segments.map((s) => (
              <li key={s.id}>
                {s.name}{' '}
                <span className="muted">
                  ({s.size} {s.object}s)
                </span>
              </li>
            ))}
          </ul>
          <label>
            <span>Name</span>
            <input required value={segment.name} onChange={(e) => setSegment({ ...segment, name: e.target.value })} />
          </label>
          <label>
            <span>People</span>
            <select value={segment.object} onChange={(e) => setSegment({ ...segment, object: e.target.value })}>
              <option value="contact">contacts</option>
              <option value="lead">leads</option>
            </select>
          </label>
          <label>
            <span>Country (optional, ISO code)</span>
            <input value={segment.country} onChange={(e) => setSegment({ ...segment, country: e.target.value })} />
          </label>
          <div className="actions">
            <button type="submit">Save segment</button>
          </div>
        </form>
        <form className="record-form" aria-label="New template" onSubmit={act(() => post('/api/v1/email-templates', template))}>
          <h2>Templates</h2>
          <ul>
            {templates.map((t) => (
              <li key={t.id}>{t.name}</li>
            ))}
          </ul>
          <label>
            <span>Name</span>
            <input required value={template.name} onChange={(e) => setTemplate({ ...template, name: e.target.value })} />
          </label>
          <label>
            <span>Subject</span>
            <input required value={template.subject} onChange={(e) => setTemplate({ ...template, subject: e.target.value })} />
          </label>
          <label>
            <span>
              Text ({'{{firstName}}'}, {'{{lastName}}'}, {'{{email}}'}; unsubscribe and privacy links are added)
            </span>
            <textarea required rows={5} value={template.body} onChange={(e) => setTemplate({ ...template, body: e.target.value })} />
          </label>
          <div className="actions">
            <button type="submit">Save template</button>
          </div>
        </form>
      </div>
    </main>
  );
}

function usePaged<T>(path: string): { items: T[]; more: (() => void) | null; reload(): void; error: unknown } {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fetchPage = (after: string | null, append: boolean) =>
    get<Page<T>>(`${path}${query({ limit: 50, cursor: after ?? undefined })}`).then((page) => {
      setItems((current) => (append ? [...current, ...page.items] : page.items));
      setCursor(page.nextCursor);
    }, setError);
  useEffect(() => void fetchPage(null, false), [path]);
  return { items, more: cursor ? () => void fetchPage(cursor, true) : null, reload: () => void fetchPage(null, false), error };
}

/** Every email sent to people: the outbox when no SMTP server is configured, a send log otherwise. */
export function OutboxPage() {
  const { items, more, error } = usePaged<any>('/api/v1/email-messages');
  const [open, setOpen] = useState<string | null>(null);
  return (
    <main>
      <h1>Outbox</h1>
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>To</th>
            <th>Subject</th>
            <th>Kind</th>
            <th>Delivery</th>
          </tr>
        </thead>
        <tbody>
          {items.map((message) => (
            <Fragment key={message.id}>
              <tr onClick={() => setOpen(open === message.id ? null : message.id)} className="clickable">
                <td>{new Date(message.createdAt).toLocaleString()}</td>
                <td>{message.to ?? <em className="muted">erased</em>}</td>
                <td>{message.subject ?? ''}</td>
                <td>{message.kind}</td>
                <td>
                  {message.state === 'queued'
                    ? `waiting to be sent (${message.attempts} attempt${message.attempts === 1 ? '' : 's'})`
                    : message.state === 'failed'
                      ? `not sent: ${message.lastError ?? 'unknown error'}`
                      : message.transport === 'smtp'
                        ? 'sent by SMTP'
                        : 'kept in outbox'}
                </td>
              </tr>
              {open === message.id && (
                <tr>
                  <td colSpan={5}>
                    <pre className="mail">{message.text}</pre>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {more && (
        <button className="secondary" onClick={more}>
          Load more
        </button>
      )}
    </main>
  );
}

export function SuppressionsPage() {
  const { items, more, reload, error: loadError } = usePaged<any>('/api/v1/suppressions');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function change(path: string, event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await post(path, { email });
      setEmail('');
      reload();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <main>
      <h1>Suppression list</h1>
      <p className="muted">
        No marketing email goes to these addresses. Only a keyed hash of each address is kept, so the list outlives erasure. Staff can add
        an address; only the person takes it off, by subscribing again themselves (a form with double opt-in, or the preference centre).
      </p>
      <ErrorMessage error={loadError ?? error} />
      <form className="inline" onSubmit={(event) => change('/api/v1/suppressions', event)}>
        <input
          aria-label="Email address"
          type="email"
          required
          placeholder="address@example.org"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="submit">Suppress</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>Person</th>
            <th>Reason</th>
            <th>Detail</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {items.map((row) => (
            <tr key={row.emailIndex}>
              <td>
                {row.person ? (
                  <a href={`#/${row.person.type}s/${row.person.id}`}>{row.person.name ?? 'open'}</a>
                ) : (
                  <span className="muted">not in the CRM</span>
                )}
              </td>
              <td>{row.reason}</td>
              <td>{row.detail ?? ''}</td>
              <td>{new Date(row.createdAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {more && (
        <button className="secondary" onClick={more}>
          Load more
        </button>
      )}
    </main>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { del, get, post, api } from './api.ts';
import { ErrorMessage } from './components.tsx';
import { SoftOptInPanel } from './features/consent/SoftOptInPanel.tsx';
import { ReasonButton } from './ui/ReasonButton.tsx';

export interface Purpose {
  id: string;
  key: string;
  name: string;
  description: string;
  legalBasis: 'consent' | 'contract' | 'legitimate_interest' | 'legal_obligation';
  status: 'draft' | 'active' | 'retired';
  directMarketing: boolean;
  sellsOrShares: boolean;
  softOptIn: boolean;
  aboutRecipientsProfession: boolean;
  cookieCategory: string | null;
  retention: string;
  recipients: string[];
  consentValidDays: number | null;
  balancingTest: null | { outcome: string; reviewedOn: string; interest: string };
}

export const BASIS_LABELS: Record<Purpose['legalBasis'], string> = {
  consent: 'Consent',
  contract: 'Contract',
  legitimate_interest: 'Legitimate interest',
  legal_obligation: 'Legal obligation',
};

export function usePurposes(): [Purpose[], () => void] {
  const [purposes, setPurposes] = useState<Purpose[]>([]);
  const load = () =>
    void get<{ items: Purpose[] }>('/api/v1/purposes').then(
      (page) => setPurposes(page.items),
      () => setPurposes([]),
    );
  useEffect(load, []);
  return [purposes, load];
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** What processing rests on for the person, as the gate decided it. */
const GROUND_LABELS: Record<string, string> = {
  consent: 'their consent',
  soft_opt_in: 'soft opt-in (existing customer)',
  b2b_exception: 'B2B exception',
  opt_out_regime: 'opt-out law: until they say no',
  legal_basis: 'the legal basis',
};

/** On a contact or lead page: the state per purpose, the gate's verdict, the ledger, and actions. */
export function ConsentPanel({ path, id }: { path: 'contacts' | 'leads'; id: string }) {
  const [data, setData] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [holdPlaced, setHoldPlaced] = useState(false);
  const [purposes] = usePurposes();
  const [form, setForm] = useState({ purposeId: '', kind: 'given', text: '', source: '' });
  const base = `/api/v1/${path}/${id}`;
  const load = () => void get(`${base}/consents`).then(setData, setError);
  useEffect(load, [base]);

  async function record(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      setData(
        await post(`${base}/consents`, {
          purposeId: form.purposeId,
          kind: form.kind,
          method: 'verbal',
          text: form.text || null,
          source: form.source || null,
        }),
      );
      setForm({ ...form, text: '', source: '' });
    } catch (caught) {
      setError(caught);
    }
  }
  const run = (fn: () => Promise<void>) => {
    setError(null);
    fn().catch(setError);
  };
  const restrict = (reason: string) => run(async () => setData(await api('PUT', `${base}/restriction`, { reason })));
  const liftRestriction = () =>
    run(async () => {
      await del(`${base}/restriction`);
      load();
    });
  const placeHold = (reason: string) =>
    run(async () => {
      await post('/api/v1/legal-holds', { recordType: path === 'contacts' ? 'contact' : 'lead', recordId: id, reason });
      setHoldPlaced(true);
    });

  if (!data)
    return <section aria-label="Consents">{error ? <ErrorMessage error={error} /> : <p className="muted">Loading consents…</p>}</section>;
  return (
    <section aria-label="Consents" className="consents">
      <div className="page-header">
        <h2>Purposes and consent</h2>
        <div className="actions">
          <a className="button secondary" href={`${base}/consents/proof?format=pdf`}>
            Proof of consent (PDF)
          </a>
          <a className="button secondary" href={`${base}/consents/proof`}>
            JSON
          </a>
          <ReasonButton
            label="Legal hold"
            title="Place a legal hold"
            field="Why this record must be kept (retention rules will not touch it)"
            submitLabel="Place hold"
            onSubmit={placeHold}
          />
          {data.restricted ? (
            <button className="secondary" onClick={liftRestriction}>
              Lift restriction
            </button>
          ) : (
            <ReasonButton
              label="Restrict processing"
              className="danger"
              title="Restrict processing (Art. 18)"
              field="Why processing is restricted"
              submitLabel="Restrict"
              onSubmit={restrict}
            />
          )}
        </div>
      </div>
      {holdPlaced && <p role="status">Legal hold placed: retention rules will not touch this record.</p>}
      {data.restricted && <p className="error">Processing is restricted: this person is stored, not processed.</p>}
      {data.suppressed && <p className="error">On the suppression list: no marketing email goes to this person.</p>}
      {data.jurisdiction && (
        <p className="muted" data-testid="jurisdiction">
          Jurisdiction:{' '}
          {({ gdpr: 'GDPR (EU/EEA)', uk_gdpr: 'UK GDPR', ccpa: 'CCPA/CPRA (California)', lgpd: 'LGPD (Brazil)' } as Record<string, string>)[
            data.jurisdiction.jurisdiction
          ] ?? data.jurisdiction.jurisdiction}{' '}
          (
          {
            (
              { override: 'set by staff', residence: 'from country and region', workspace_default: 'workspace default' } as Record<
                string,
                string
              >
            )[data.jurisdiction.source]
          }
          )
          {data.saleSharing?.optedOut
            ? ` · opted out of sale and sharing since ${new Date(data.saleSharing.since).toLocaleDateString()}${data.saleSharing.source ? ` (${data.saleSharing.source})` : ''}`
            : ''}
        </p>
      )}
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
          {data.states.map((state: any) => (
            <tr key={state.purposeId}>
              <td>{state.purposeName}</td>
              <td>{BASIS_LABELS[state.legalBasis as Purpose['legalBasis']]}</td>
              <td>
                <span className="badge" data-state={state.state}>
                  {state.state}
                </span>
                {state.validUntil && <span className="muted"> until {new Date(state.validUntil).toLocaleDateString()}</span>}
              </td>
              <td>{when(state.since)}</td>
              <td>
                {state.canProcess
                  ? `yes: ${GROUND_LABELS[state.basis] ?? state.basis}${state.exception ? ` (${state.exception.replaceAll('_', ' ')})` : ''}`
                  : `no (${String(state.refusal).replaceAll('_', ' ')})`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <SoftOptInPanel base={base} softOptIn={data.softOptIn} onChange={load} />
      <h2>Consent history</h2>
      {data.history.length === 0 ? (
        <p className="muted">No consent events yet.</p>
      ) : (
        <ol className="timeline" aria-label="Consent history">
          {data.history.map((event: any) => (
            <li key={event.id}>
              <strong>
                {event.purposeKey ?? 'sale and sharing'}: {event.kind.replaceAll('_', ' ')}
              </strong>{' '}
              <span className="muted">
                {when(event.occurredAt)} · {event.method.replace('_', ' ')} · {event.actorType.replace('_', ' ')}
                {event.source ? ` · ${event.source}` : ''}
                {event.formId ? ` · form v${event.formVersion}` : ''}
                {event.ip ? ` · ${event.ip}` : ''}
              </span>
              {event.text && <p>“{event.text}”</p>}
            </li>
          ))}
        </ol>
      )}
      <form className="inline" onSubmit={record} aria-label="Record consent">
        <select aria-label="Purpose" required value={form.purposeId} onChange={(e) => setForm({ ...form, purposeId: e.target.value })}>
          <option value="">Purpose…</option>
          {purposes
            .filter((p) => p.status !== 'retired')
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </select>
        <select aria-label="Event" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}>
          <option value="given">given</option>
          <option value="withdrawn">withdrawn</option>
          <option value="objected">objected</option>
        </select>
        <input
          aria-label="Wording agreed to"
          placeholder="Exact wording agreed to"
          value={form.text}
          onChange={(e) => setForm({ ...form, text: e.target.value })}
        />
        <input
          aria-label="Source"
          placeholder="Where (call, letter…)"
          value={form.source}
          onChange={(e) => setForm({ ...form, source: e.target.value })}
        />
        <button type="submit">Record</button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}

const EMPTY_PURPOSE = {
  key: '',
  name: '',
  description: '',
  legalBasis: 'consent',
  directMarketing: false,
  sellsOrShares: false,
  softOptIn: false,
  aboutRecipientsProfession: false,
  cookieCategory: '',
  retention: '',
  recipients: '',
  consentValidDays: '',
};

/** Purposes with their legal basis; legitimate interest with its balancing test. */
export function PurposesPage({ memberId, canManage }: { memberId: string; canManage: boolean }) {
  const [purposes, reload] = usePurposes();
  const [draft, setDraft] = useState(EMPTY_PURPOSE);
  const [assessing, setAssessing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await post('/api/v1/purposes', {
        ...draft,
        cookieCategory: draft.cookieCategory || null,
        recipients: draft.recipients
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
        consentValidDays: draft.consentValidDays ? Number(draft.consentValidDays) : null,
      });
      setDraft(EMPTY_PURPOSE);
      reload();
    } catch (caught) {
      setError(caught);
    }
  }
  async function setStatus(purpose: Purpose, status: Purpose['status']) {
    setError(null);
    try {
      await api('PATCH', `/api/v1/purposes/${purpose.id}`, { status });
      reload();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <main>
      <h1>Purposes and legal bases</h1>
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th>Purpose</th>
            <th>Legal basis</th>
            <th>Status</th>
            <th>Retention</th>
            <th>Recipients</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {purposes.map((purpose) => (
            <tr key={purpose.id}>
              <td>
                <strong>{purpose.name}</strong> <span className="muted">({purpose.key})</span>
                {purpose.directMarketing && <span className="badge">direct marketing</span>}
                {purpose.sellsOrShares && <span className="badge">sells or shares (CCPA)</span>}
                {purpose.softOptIn && <span className="badge">soft opt-in: existing customers</span>}
                {purpose.aboutRecipientsProfession && <span className="badge">about the recipient's profession (B2B)</span>}
                {purpose.cookieCategory && <span className="badge">cookies: {purpose.cookieCategory}</span>}
                <br />
                <span className="muted">{purpose.description}</span>
              </td>
              <td>
                {BASIS_LABELS[purpose.legalBasis]}
                {purpose.legalBasis === 'legitimate_interest' && (
                  <div className="muted">
                    {purpose.balancingTest
                      ? `Balancing test ${purpose.balancingTest.outcome} (${purpose.balancingTest.reviewedOn})`
                      : 'No balancing test yet'}
                  </div>
                )}
              </td>
              <td>{purpose.status}</td>
              <td>{purpose.retention || '—'}</td>
              <td>{purpose.recipients.join(', ') || '—'}</td>
              <td className="actions">
                {canManage && purpose.status !== 'active' && <button onClick={() => setStatus(purpose, 'active')}>Activate</button>}
                {canManage && purpose.status === 'active' && (
                  <button className="secondary" onClick={() => setStatus(purpose, 'retired')}>
                    Retire
                  </button>
                )}
                {canManage && purpose.legalBasis === 'legitimate_interest' && (
                  <button className="secondary" onClick={() => setAssessing(assessing === purpose.id ? null : purpose.id)}>
                    Balancing test
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {assessing && (
        <BalancingTestForm
          purposeId={assessing}
          memberId={memberId}
          onDone={() => {
            setAssessing(null);
            reload();
          }}
        />
      )}
      {canManage && <NewPurposeForm draft={draft} setDraft={setDraft} onSubmit={create} />}
    </main>
  );
}

function NewPurposeForm({
  draft,
  setDraft,
  onSubmit,
}: {
  draft: typeof EMPTY_PURPOSE;
  setDraft(next: typeof EMPTY_PURPOSE): void;
  onSubmit(event: FormEvent): void;
}) {
  return (
    <>
      <h2>New purpose</h2>
      <form className="record-form" onSubmit={onSubmit} aria-label="New purpose">
        <label>
          <span>Key</span>
          <input required value={draft.key} onChange={(e) => setDraft({ ...draft, key: e.target.value })} placeholder="newsletter" />
        </label>
        <label>
          <span>Name</span>
          <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </label>
        <label>
          <span>Legal basis</span>
          <select value={draft.legalBasis} onChange={(e) => setDraft({ ...draft, legalBasis: e.target.value })}>
            {Object.entries(BASIS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Description</span>
          <input value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
        </label>
        <label>
          <span>Retention</span>
          <input
            value={draft.retention}
            onChange={(e) => setDraft({ ...draft, retention: e.target.value })}
            placeholder="24 months after last contact"
          />
        </label>
        <label>
          <span>Recipients (comma-separated)</span>
          <input value={draft.recipients} onChange={(e) => setDraft({ ...draft, recipients: e.target.value })} />
        </label>
        <label>
          <span>Consent valid for (days)</span>
          <input
            type="number"
            min={1}
            value={draft.consentValidDays}
            onChange={(e) => setDraft({ ...draft, consentValidDays: e.target.value })}
          />
        </label>
        <label>
          <span>Cookie category</span>
          <input
            value={draft.cookieCategory}
            onChange={(e) => setDraft({ ...draft, cookieCategory: e.target.value })}
            placeholder="analytics"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.directMarketing}
            onChange={(e) => setDraft({ ...draft, directMarketing: e.target.checked })}
          />{' '}
          Direct marketing
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.softOptIn}
            disabled={!draft.directMarketing || draft.legalBasis !== 'legitimate_interest'}
            onChange={(e) => setDraft({ ...draft, softOptIn: e.target.checked })}
          />{' '}
          Markets similar products to existing customers (soft opt-in, ePrivacy Art. 13(2))
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.aboutRecipientsProfession}
            disabled={!draft.directMarketing || draft.legalBasis !== 'legitimate_interest'}
            onChange={(e) => setDraft({ ...draft, aboutRecipientsProfession: e.target.checked })}
          />{' '}
          Messages about the recipient's profession (B2B exceptions the workspace enabled)
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.sellsOrShares} onChange={(e) => setDraft({ ...draft, sellsOrShares: e.target.checked })} />{' '}
          Sells or shares personal information (refused for people who opted out)
        </label>
        <div className="actions">
          <button type="submit">Add purpose</button>
        </div>
      </form>
    </>
  );
}

function BalancingTestForm({ purposeId, memberId, onDone }: { purposeId: string; memberId: string; onDone(): void }) {
  const [values, setValues] = useState({
    interest: '',
    necessity: '',
    impact: '',
    safeguards: '',
    outcome: 'passed',
    reviewedOn: new Date().toISOString().slice(0, 10),
  });
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await post(`/api/v1/purposes/${purposeId}/balancing-tests`, { ...values, reviewerId: memberId });
      onDone();
    } catch (caught) {
      setError(caught);
    }
  }
  const area = (key: keyof typeof values, label: string) => (
    <label>
      <span>{label}</span>
      <textarea required rows={2} value={values[key]} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
    </label>
  );
  return (
    <form className="record-form" onSubmit={submit} aria-label="Balancing test">
      {area('interest', 'Legitimate interest pursued')}
      {area('necessity', 'Why the processing is necessary')}
      {area('impact', 'Impact on the person and their expectations')}
      {area('safeguards', 'Safeguards')}
      <label>
        <span>Outcome</span>
        <select value={values.outcome} onChange={(e) => setValues({ ...values, outcome: e.target.value })}>
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
      <ErrorMessage error={error} />
    </form>
  );
}

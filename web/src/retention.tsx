import { useEffect, useState } from 'react';
import { api, del, get, post } from './api.ts';
import { ErrorMessage, pageActions } from './components.tsx';
import { RunNowConfirmation } from './features/retention/RunNowConfirmation.tsx';
import { ConfirmButton } from './ui/ConfirmButton.tsx';

const TARGET_LABELS: Record<string, string> = {
  contact: 'contacts',
  lead: 'leads',
  opportunity: 'closed-lost opportunities',
  consent_history: 'consent history of erased people',
  email_message: 'email copies',
  portal_link: 'portal links',
  dsr_request: 'closed data subject requests',
};

/** Retention rules with their dry run and last run, and the records under legal hold. */
export function RetentionPage() {
  const [rules, setRules] = useState<any[]>([]);
  const [holds, setHolds] = useState<any[]>([]);
  const [preview, setPreview] = useState<{ ruleId: string; items: any[]; more: boolean } | null>(null);
  const [draft, setDraft] = useState({ name: '', target: 'lead', afterDays: 730, action: 'delete' });
  const [error, setError] = useState<unknown>(null);
  const load = () => {
    get<{ items: any[] }>('/api/v1/retention-rules').then((page) => setRules(page.items), setError);
    get<{ items: any[] }>('/api/v1/legal-holds').then((page) => setHolds(page.items), setError);
  };
  useEffect(load, []);
  const act = pageActions(setError, load);
  return (
    <main>
      <h1>Retention</h1>
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th>Rule</th>
            <th>Applies to</th>
            <th>After</th>
            <th>Action</th>
            <th>Last run</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <tr key={rule.id}>
              <td>
                {rule.name} {!rule.enabled && <span className="badge">disabled</span>}
              </td>
              <td>{TARGET_LABELS[rule.target]}</td>
              <td>{rule.afterDays} days</td>
              <td>{rule.action}</td>
              <td>
                {rule.lastRun
                  ? `${new Date(rule.lastRun.startedAt).toLocaleString()}: ${rule.lastRun.applied}${rule.lastRun.finishedAt ? '' : ' (running)'}`
                  : 'never'}
              </td>
              <td className="actions">
                <button
                  className="secondary"
                  onClick={act(async () =>
                    setPreview({
                      ruleId: rule.id,
                      ...(await get<{ items: any[]; more: boolean }>(`/api/v1/retention-rules/${rule.id}/preview`)),
                    }),
                  )}
                >
                  Dry run
                </button>
                <button
                  className="secondary"
                  onClick={act(() => api('PATCH', `/api/v1/retention-rules/${rule.id}`, { enabled: !rule.enabled }))}
                >
                  {rule.enabled ? 'Disable' : 'Enable'}
                </button>
                {rule.enabled && (
                  <ConfirmButton
                    label="Run now"
                    tone="primary"
                    title={`Run “${rule.name}” now?`}
                    confirmLabel="Run the rule"
                    onConfirm={() => void act(() => post(`/api/v1/retention-rules/${rule.id}/run`))()}
                  >
                    <RunNowConfirmation ruleId={rule.id} action={rule.action === 'delete' ? 'deleted' : 'anonymised'} />
                  </ConfirmButton>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {preview && (
        <section aria-label="Dry run">
          <h2>
            Dry run: {preview.items.length}
            {preview.more ? '+' : ''} record(s) would go
          </h2>
          <ul>
            {preview.items.map((item) => (
              <li key={item.id}>
                {item.type === 'contact' || item.type === 'lead' ? (
                  <a href={`#/${item.type}s/${item.id}`}>
                    {item.type} {item.id.slice(0, 8)}
                  </a>
                ) : (
                  `${item.type} ${item.id.slice(0, 8)}`
                )}{' '}
                — idle since {new Date(item.since).toLocaleDateString()}
              </li>
            ))}
          </ul>
        </section>
      )}
      <form className="record-form" aria-label="New retention rule" onSubmit={act(() => post('/api/v1/retention-rules', draft))}>
        <h2>New rule</h2>
        <label>
          <span>Name</span>
          <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </label>
        <label>
          <span>Applies to</span>
          <select value={draft.target} onChange={(e) => setDraft({ ...draft, target: e.target.value })}>
            {Object.entries(TARGET_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>After (days idle, or since creation)</span>
          <input
            type="number"
            min={1}
            value={draft.afterDays}
            onChange={(e) => setDraft({ ...draft, afterDays: Number(e.target.value) })}
          />
        </label>
        <label>
          <span>Action</span>
          <select value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="delete">delete</option>
            <option value="anonymise">anonymise (contacts, leads, lost deals)</option>
          </select>
        </label>
        <div className="actions">
          <button type="submit">Add rule</button>
        </div>
      </form>
      <h2>Legal holds</h2>
      <table>
        <tbody>
          {holds.map((hold) => (
            <tr key={hold.id}>
              <td>
                <a href={`#/${hold.recordType}s/${hold.recordId}`}>{hold.recordType}</a>
              </td>
              <td>{hold.reason}</td>
              <td>{new Date(hold.placedAt).toLocaleDateString()}</td>
              <td>
                {hold.releasedAt ? (
                  `released ${new Date(hold.releasedAt).toLocaleDateString()}`
                ) : (
                  <button className="secondary" onClick={act(() => del(`/api/v1/legal-holds/${hold.id}`))}>
                    Release
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {holds.length === 0 && <p className="muted">No record is under legal hold. Place one from a contact or lead page.</p>}
    </main>
  );
}

import { useEffect, useState } from 'react';
import { del, get, patch, post } from './api.ts';
import { ErrorMessage, pageActions } from './components.tsx';
import { usePurposes } from './consent.tsx';
import { ConfirmButton } from './ui/ConfirmButton.tsx';

const COUNTS = ['fetched', 'created', 'updated', 'unchanged', 'deleted', 'failed'] as const;

/** Entries in the connector's own order (companies before contacts ...), whatever order the JSON kept. */
const inOrder = (record: Record<string, any>, order: string[]) =>
  Object.entries(record).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));

function RunTable({ run, order }: { run: any; order: string[] }) {
  return (
    <table aria-label="Last run">
      <thead>
        <tr>
          <th>Object</th>
          {COUNTS.map((count) => (
            <th key={count}>{count}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {inOrder(run.stats, order).map(([object, counts]: [string, any]) => (
          <tr key={object}>
            <td>{object}</td>
            {COUNTS.map((count) => (
              <td key={count}>{counts[count]}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Certificate({ certificate, order }: { certificate: any; order: string[] }) {
  return (
    <section aria-label="Purge certificate">
      <h3>Purge certificate</h3>
      <p>
        Started {new Date(certificate.startedAt).toLocaleString()}
        {certificate.finishedAt ? `, finished ${new Date(certificate.finishedAt).toLocaleString()}` : ' — running'}; credentials{' '}
        {certificate.credentialsDeleted ? 'deleted here' : 'not yet deleted here'}, at the vendor:{' '}
        {certificate.credentialsRevoked ? 'revoked' : certificate.credentialsRevocation}.
      </p>
      <table>
        <thead>
          <tr>
            <th>Object</th>
            <th>Before</th>
            <th>Deleted</th>
            <th>Unlinked (kept: another source)</th>
            <th>After</th>
          </tr>
        </thead>
        <tbody>
          {inOrder(certificate.objects, order).map(([object, e]: [string, any]) => (
            <tr key={object}>
              <td>{object}</td>
              <td>{e.before}</td>
              <td>{e.deleted}</td>
              <td>{e.unlinked}</td>
              <td>{e.after}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {certificate.kept?.length > 0 && (
        <ul aria-label="Kept records">
          {certificate.kept.map((k: { recordType: string; count: number; reason: string }) => (
            <li key={`${k.recordType}:${k.reason}`}>
              {k.count} {k.recordType}
              {k.count === 1 ? '' : 's'} kept: {k.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface OAuthApps {
  redirectUri: string;
  items: Array<{ kind: string; configured: boolean; scopes: string[]; pkce: boolean }>;
}

const VENDOR_NAMES: Record<string, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce', pipedrive: 'Pipedrive' };

/** Connections to other CRMs: their runs, their review list, connecting and disconnecting. */
export function IntegrationsPage({ canManage }: { canManage: boolean }) {
  const [items, setItems] = useState<any[]>([]);
  const [reviews, setReviews] = useState<any[]>([]);
  const [draft, setDraft] = useState({
    label: 'HubSpot',
    baseUrl: '',
    token: '',
    syncEveryHours: 24,
    actingAs: 'controller',
    sellsOrShares: false,
    purposeId: '',
  });
  const [purposes] = usePurposes();
  const [error, setError] = useState<unknown>(null);
  const [oauth, setOauth] = useState<OAuthApps | null>(null);
  const returned = new URLSearchParams(window.location.search);
  const load = () => {
    get<OAuthApps>('/api/v1/integrations/oauth/apps').then(setOauth, setError);
    get<{ items: any[] }>('/api/v1/integrations').then((page) => setItems(page.items), setError);
    get<{ items: any[] }>('/api/v1/sync-reviews').then((page) => setReviews(page.items), setError);
  };
  useEffect(load, []);
  const act = pageActions(setError, load);
  const connect = () =>
    post('/api/v1/integrations', {
      kind: 'hubspot',
      label: draft.label,
      ...(draft.baseUrl ? { baseUrl: draft.baseUrl } : {}),
      credentials: { kind: 'api_key', token: draft.token },
      syncEveryHours: draft.syncEveryHours,
      actingAs: draft.actingAs,
      sellsOrShares: draft.sellsOrShares,
      purposeId: draft.purposeId || null,
    });
  /** Sign in at the vendor: the browser goes to its consent screen and comes back connected. */
  const signIn = (kind: string) => async () => {
    const started = await post<{ authorizeUrl: string }>('/api/v1/integrations/oauth/start', {
      kind,
      label: VENDOR_NAMES[kind] ?? kind,
      syncEveryHours: draft.syncEveryHours,
      actingAs: draft.actingAs,
      sellsOrShares: draft.sellsOrShares,
      purposeId: draft.purposeId || null,
    });
    window.location.assign(started.authorizeUrl);
  };
  return (
    <main>
      <h1>CRM sync</h1>
      <ErrorMessage error={error} />
      {returned.get('connected') && <p className="notice">Connected. The first sync is running.</p>}
      {returned.get('oauthError') && (
        <p className="notice" role="alert">
          Not connected: {returned.get('oauthError')}
        </p>
      )}
      {canManage && oauth && oauth.items.some((app) => app.configured) && (
        <section aria-label="Connect by signing in">
          <h2>Connect by signing in</h2>
          {oauth.items
            .filter((app) => app.configured)
            .map((app) => (
              <p key={app.kind}>
                <button onClick={act(signIn(app.kind))}>Connect {VENDOR_NAMES[app.kind] ?? app.kind}</button>{' '}
                <span className="muted">asks for: {app.scopes.length > 0 ? app.scopes.join(', ') : 'the scopes set on the app'}</span>
              </p>
            ))}
        </section>
      )}
      {items.length === 0 && <p className="muted">No CRM is connected.</p>}
      {items.map((item) => (
        <section key={item.id} aria-label={item.label}>
          <h2>
            {item.label} <span className="badge">{item.kind}</span> <span className="badge">{item.status.replace('_', ' ')}</span>
            {item.actingAs === 'processor' && <span className="badge">processor (Art. 28)</span>}
            {item.sellsOrShares && <span className="badge">sale or sharing (CCPA)</span>}
          </h2>
          <p className="muted">
            People are pushed for:{' '}
            {purposes.find((p) => p.id === item.purposeId)?.name ?? <em>no purpose declared, so no person can be pushed</em>}
            {canManage && (
              <select
                aria-label={`Purpose of ${item.label}`}
                value={item.purposeId ?? ''}
                onChange={(e) => act(() => patch(`/api/v1/integrations/${item.id}`, { purposeId: e.target.value || null }))()}
              >
                <option value="">none</option>
                {purposes
                  .filter((p) => p.status === 'active')
                  .map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
              </select>
            )}
          </p>
          {item.statusReason && <p className="error">{item.statusReason}</p>}
          <p>
            Every {item.syncEveryHours} h; synced until {item.syncedUntil ? new Date(item.syncedUntil).toLocaleString() : 'never'}; next{' '}
            {item.nextSyncAt ? new Date(item.nextSyncAt).toLocaleString() : '—'}. Linked records:{' '}
            {Object.entries(item.records)
              .map(([object, count]) => `${object} ${count}`)
              .join(', ') || 'none'}
            .
          </p>
          {item.lastRun && (
            <>
              <p>
                Last run ({item.lastRun.fullResync ? 'full resync' : item.lastRun.mode}
                {item.lastRun.reconcile ? ', every link checked' : ''}): {item.lastRun.state}
                {item.lastRun.finishedAt ? `, ${new Date(item.lastRun.finishedAt).toLocaleString()}` : ''}; {item.lastRun.requests}{' '}
                requests, {item.lastRun.rateLimited} rate-limited
                {item.lastRun.error ? ` — ${item.lastRun.error}` : ''}
              </p>
              <RunTable run={item.lastRun} order={item.objects} />
              {item.lastRun.failures.length > 0 && (
                <ul aria-label="Failures">
                  {item.lastRun.failures.map((f: any) => (
                    <li key={`${f.object}:${f.externalId}`}>
                      {f.object} {f.externalId}: {f.reason}
                    </li>
                  ))}
                  {item.lastRun.failuresTotal > item.lastRun.failures.length && (
                    <li>
                      … and {item.lastRun.failuresTotal - item.lastRun.failures.length} more (the first {item.lastRun.failures.length} are
                      listed).
                    </li>
                  )}
                </ul>
              )}
            </>
          )}
          {item.lastRun && item.lastRun.heldDeletions.length > 0 && (
            <div className="notice" role="alert">
              <p>Deletions held for review: the export looked incomplete, so nothing it no longer lists was deleted.</p>
              <ul aria-label="Held deletions">
                {item.lastRun.heldDeletions.map((held: { object: string; reason: string }) => (
                  <li key={held.object}>
                    {held.object}: {held.reason}
                  </li>
                ))}
              </ul>
              {canManage && item.status === 'active' && (
                <ConfirmButton
                  label="Sync and apply these deletions"
                  title="Apply the deletions here too?"
                  confirmLabel="Delete them here"
                  onConfirm={() => void act(() => post(`/api/v1/integrations/${item.id}/sync`, { allowMassDeletion: true }))()}
                >
                  <p>Check in {item.label} that those records were really deleted there: they are deleted here too.</p>
                </ConfirmButton>
              )}
            </div>
          )}
          {item.purgeCertificate && <Certificate certificate={item.purgeCertificate} order={item.objects} />}
          {canManage && item.status === 'active' && (
            <div className="actions">
              <button onClick={act(() => post(`/api/v1/integrations/${item.id}/sync`))}>Sync now</button>
              <ConfirmButton
                label="Full resync"
                tone="primary"
                title={`Resync everything from ${item.label}?`}
                confirmLabel="Resync"
                onConfirm={() => void act(() => post(`/api/v1/integrations/${item.id}/sync`, { fullResync: true }))()}
              >
                <p>Everything is listed again as the first sync did; records {item.label} no longer has are deleted here.</p>
              </ConfirmButton>
              <ConfirmButton
                label="Disconnect and purge"
                title={`Disconnect ${item.label}?`}
                confirmLabel="Disconnect and purge"
                onConfirm={() => void act(() => del(`/api/v1/integrations/${item.id}`))()}
              >
                <p>Everything that came only from {item.label} is deleted here, and a purge certificate is kept.</p>
              </ConfirmButton>
            </div>
          )}
        </section>
      ))}
      <h2>To review ({reviews.length})</h2>
      {reviews.length === 0 && <p className="muted">No external record was ambiguous.</p>}
      <ul aria-label="Match reviews">
        {reviews.map((review) => (
          <li key={review.id}>
            {review.object} {review.externalId} was kept as{' '}
            <a href={`#/${review.recordType}s/${review.recordId}`}>a separate {review.recordType}</a>: {review.explanation}.{' '}
            {canManage &&
              review.candidateIds.map((candidate: string) => (
                <button
                  key={candidate}
                  className="secondary"
                  onClick={act(() => post(`/api/v1/sync-reviews/${review.id}/resolve`, { resolution: 'merged', mergeInto: candidate }))}
                >
                  Merge into {candidate.slice(0, 8)}
                </button>
              ))}
            {canManage && (
              <button
                className="secondary"
                onClick={act(() => post(`/api/v1/sync-reviews/${review.id}/resolve`, { resolution: 'kept_separate' }))}
              >
                Keep apart
              </button>
            )}
          </li>
        ))}
      </ul>
      {canManage && (
        <form className="record-form" aria-label="Connect HubSpot" onSubmit={act(connect)}>
          <h2>Connect HubSpot</h2>
          <label>
            <span>Name</span>
            <input required value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })} />
          </label>
          <label>
            <span>Private-app access token</span>
            <input
              required
              type="password"
              autoComplete="off"
              value={draft.token}
              onChange={(e) => setDraft({ ...draft, token: e.target.value })}
            />
          </label>
          <label>
            <span>API root (leave empty for api.hubapi.com)</span>
            <input value={draft.baseUrl} onChange={(e) => setDraft({ ...draft, baseUrl: e.target.value })} />
          </label>
          <label>
            <span>Sync every (hours)</span>
            <input
              type="number"
              min={1}
              max={168}
              value={draft.syncEveryHours}
              onChange={(e) => setDraft({ ...draft, syncEveryHours: Number(e.target.value) })}
            />
          </label>
          <label>
            <span>Whose data</span>
            <select value={draft.actingAs} onChange={(e) => setDraft({ ...draft, actingAs: e.target.value })}>
              <option value="controller">ours (we are the controller)</option>
              <option value="processor">the customer's, processed on their behalf (Art. 28)</option>
            </select>
          </label>
          <label>
            <span>Purpose people are pushed for (each push passes the consent gate for it)</span>
            <select value={draft.purposeId} onChange={(e) => setDraft({ ...draft, purposeId: e.target.value })}>
              <option value="">none: people are not pushed</option>
              {purposes
                .filter((p) => p.status === 'active')
                .map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.sellsOrShares}
              onChange={(e) => setDraft({ ...draft, sellsOrShares: e.target.checked })}
            />{' '}
            This CRM is a third party we sell or share personal information with (pushes refused for people who opted out)
          </label>
          <div className="actions">
            <button type="submit">Connect and start the initial sync</button>
          </div>
        </form>
      )}
    </main>
  );
}

const RULES: Record<string, string> = {
  domain: 'same domain',
  name: 'same name (legal form, case and accents ignored)',
  fuzzy_name: 'similar name',
  email: 'same email address',
  review: 'merged by a person after review',
  pushed: 'pushed from here',
};

/** On a record page: its copies in other CRMs (and why each is linked), and a push to one of them. */
export function SyncPanel({ recordType, recordId }: { recordType: string; recordId: string }) {
  const [links, setLinks] = useState<{ items: any[]; pushTargets: any[] } | null>(null);
  const [target, setTarget] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () =>
    get<{ items: any[]; pushTargets: any[] }>(`/api/v1/sync-links?recordType=${recordType}&recordId=${recordId}`).then(setLinks, setError);
  useEffect(() => void load(), [recordType, recordId]);
  const act = pageActions(setError, load);
  if (!links || (links.items.length === 0 && links.pushTargets.length === 0)) return null;
  const push = (force: boolean) =>
    act(async () => {
      setNotice(null);
      const result = await post<any>(`/api/v1/integrations/${target || links.pushTargets[0].id}/push`, {
        record: { type: recordType, id: recordId },
        force,
      });
      setNotice(`${result.action === 'created' ? 'Created' : 'Updated'} in the CRM as ${result.object} ${result.externalId}.`);
    });
  return (
    <section aria-label="Other CRMs">
      <h2>Other CRMs</h2>
      <ErrorMessage error={error} />
      {notice && <p className="notice">{notice}</p>}
      <ul>
        {links.items.map((link) => (
          <li key={`${link.integrationId}:${link.object}:${link.externalId}`}>
            {link.integrationLabel}: {link.object} {link.externalId} —{' '}
            {link.origin === 'created' ? 'brought in by this CRM' : `linked: ${RULES[link.matchRule] ?? link.matchRule}`}
            {link.filledFields.length > 0 ? ` (it filled ${link.filledFields.join(', ')})` : ''}
          </li>
        ))}
      </ul>
      {links.pushTargets.length > 0 && (
        <div className="actions">
          <select aria-label="CRM" value={target} onChange={(e) => setTarget(e.target.value)}>
            {links.pushTargets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
          <button className="secondary" onClick={push(false)}>
            Push to CRM
          </button>
          <button className="secondary" onClick={push(true)}>
            Push, overwriting changes there
          </button>
        </div>
      )}
    </section>
  );
}

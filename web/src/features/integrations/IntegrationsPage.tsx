import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { usePurposes } from '../consent/usePurposes.ts';
import { ConnectHubSpotForm, type ConnectionTerms } from './ConnectHubSpotForm.tsx';
import { VENDOR_NAMES } from './inOrder.ts';
import { IntegrationSection } from './IntegrationSection.tsx';
import { MatchReviews } from './MatchReviews.tsx';

/** Connections to other CRMs: their runs, their review list, connecting and disconnecting. */
export function IntegrationsPage({ canManage }: { canManage: boolean }) {
  const { data, error, act } = usePageData(['integrations'], async (signal) => ({
    oauth: await unwrap(client.GET('/api/v1/integrations/oauth/apps', { signal })),
    items: (await unwrap(client.GET('/api/v1/integrations', { signal }))).items,
    reviews: (await unwrap(client.GET('/api/v1/sync-reviews', { signal }))).items,
  }));
  const { purposes } = usePurposes();
  const [terms, setTerms] = useState<ConnectionTerms>({
    syncEveryHours: 24,
    actingAs: 'controller',
    sellsOrShares: false,
    purposeId: null,
  });
  const returned = new URLSearchParams(window.location.search);
  /** Sign in at the vendor: the browser goes to its consent screen and comes back connected. */
  const signIn = (kind: 'hubspot' | 'salesforce' | 'pipedrive') =>
    act(async () => {
      const started = await unwrap(
        client.POST('/api/v1/integrations/oauth/start', { body: { kind, label: VENDOR_NAMES[kind] ?? kind, ...terms } }),
      );
      window.location.assign(started.authorizeUrl);
    });
  const signInApps = data?.oauth.items.filter((app) => app.configured) ?? [];
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
      {canManage && signInApps.length > 0 && (
        <section aria-label="Connect by signing in">
          <h2>Connect by signing in</h2>
          {signInApps.map((app) => (
            <p key={app.kind}>
              <button onClick={signIn(app.kind)}>Connect {VENDOR_NAMES[app.kind] ?? app.kind}</button>{' '}
              <span className="muted">asks for: {app.scopes.length > 0 ? app.scopes.join(', ') : 'the scopes set on the app'}</span>
            </p>
          ))}
        </section>
      )}
      {data?.items.length === 0 && <p className="muted">No CRM is connected.</p>}
      {data?.items.map((item) => {
        const path = { params: { path: { id: item.id } } };
        return (
          <IntegrationSection
            key={item.id}
            item={item}
            purposes={purposes}
            canManage={canManage}
            actions={{
              setPurpose: (purposeId) => act(() => unwrap(client.PATCH('/api/v1/integrations/{id}', { ...path, body: { purposeId } })))(),
              sync: (options) => act(() => unwrap(client.POST('/api/v1/integrations/{id}/sync', { ...path, body: options })))(),
              disconnect: act(() => unwrap(client.DELETE('/api/v1/integrations/{id}', path))),
            }}
          />
        );
      })}
      <MatchReviews
        reviews={data?.reviews ?? []}
        canManage={canManage}
        onResolve={(id, resolution) =>
          act(() => unwrap(client.POST('/api/v1/sync-reviews/{id}/resolve', { params: { path: { id } }, body: resolution })))()
        }
      />
      {canManage && (
        <ConnectHubSpotForm
          purposes={purposes}
          terms={terms}
          onTermsChange={setTerms}
          onSubmit={({ label, baseUrl, token, ...rest }) =>
            act(() =>
              unwrap(
                client.POST('/api/v1/integrations', {
                  body: { kind: 'hubspot', label, ...(baseUrl ? { baseUrl } : {}), credentials: { kind: 'api_key', token }, ...rest },
                }),
              ),
            )()
          }
        />
      )}
    </main>
  );
}

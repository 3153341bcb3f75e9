import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap, type Schemas } from '../../api/client.ts';
import { MarketingSettings } from '../campaigns/MarketingSettings.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { WorkspaceForm } from './WorkspaceForm.tsx';

/** Workspace settings: name, default jurisdiction, two-factor rule, how mail leaves, sender identity; where the rest is set. */
export function SettingsPage({ totpEnabled }: { totpEnabled: boolean }) {
  const queryClient = useQueryClient();
  const workspace = useQuery({ queryKey: ['workspace'], queryFn: ({ signal }) => unwrap(client.GET('/api/v1/workspace', { signal })) });
  const save = useMutation({
    mutationFn: (patch: Schemas['WorkspacePatch']) => unwrap(client.PATCH('/api/v1/workspace', { body: patch })),
    onSuccess: (saved) => queryClient.setQueryData(['workspace'], saved),
  });
  return (
    <main>
      <h1>Workspace settings</h1>
      <ErrorMessage error={workspace.error} />
      {workspace.data && (
        <>
          <WorkspaceForm key={workspace.data.name} workspace={workspace.data} totpEnabled={totpEnabled} save={save} />
          <section aria-labelledby="mail-heading">
            <h2 id="mail-heading">E-mail delivery</h2>
            {workspace.data.mailTransport === 'smtp' ? (
              <p>E-mail leaves through the SMTP server this installation is configured with (LAWFUL_SMTP_URL).</p>
            ) : (
              <p className="notice" role="status">
                No SMTP server is configured: e-mails are kept in the installation's outbox folder and reach no one. Set LAWFUL_SMTP_URL to
                send them.
              </p>
            )}
          </section>
        </>
      )}
      <MarketingSettings />
      <section aria-labelledby="elsewhere-heading">
        <h2 id="elsewhere-heading">Set elsewhere</h2>
        <ul>
          <li>
            <a href="#/retention">Retention periods</a>, per purpose and record type.
          </li>
          <li>
            <a href="#/forms">Sites allowed to send cookie-banner choices</a> (the cookie banner's allowed origins).
          </li>
          <li>
            <a href="#/members">Members and invitations</a>, <a href="#/api-tokens">API tokens</a>.
          </li>
        </ul>
      </section>
    </main>
  );
}

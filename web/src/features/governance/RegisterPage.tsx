import { client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime } from '../../ui/labels.ts';
import { DefaultJurisdictionPicker } from './DefaultJurisdictionPicker.tsx';
import { JurisdictionSection } from './JurisdictionSection.tsx';
import { ProcessingActivity } from './ProcessingActivity.tsx';

/** The Art. 30 register, its exports and versions. */
export function RegisterPage({ canManage }: { canManage: boolean }) {
  const { data, error, act } = usePageData(['register'], async (signal) => ({
    register: await unwrap(client.GET('/api/v1/register', { signal })),
    versions: (await unwrap(client.GET('/api/v1/register/versions', { signal }))).items,
  }));
  return (
    <main>
      <h1>Register of processing activities</h1>
      <ErrorMessage error={error} />
      <p className="actions">
        <a href="/api/v1/register?format=pdf">PDF</a> <a href="/api/v1/register?format=csv">CSV</a>{' '}
        <a href="/api/v1/register?format=json">JSON</a>
        {canManage && <button onClick={act(() => unwrap(client.POST('/api/v1/register/versions')))}>Save as a version</button>}
      </p>
      {data?.register.activities.map((activity) => (
        <ProcessingActivity key={activity.id} activity={activity} />
      ))}
      <h2>Jurisdictions</h2>
      {canManage && data && (
        <DefaultJurisdictionPicker
          value={data.register.jurisdictions.find((jurisdiction) => jurisdiction.workspaceDefault)?.key ?? 'gdpr'}
          onChange={(defaultJurisdiction) => act(() => unwrap(client.PATCH('/api/v1/workspace', { body: { defaultJurisdiction } })))()}
        />
      )}
      {data?.register.jurisdictions.map((jurisdiction) => (
        <JurisdictionSection key={jurisdiction.key} jurisdiction={jurisdiction} />
      ))}
      <h2>Versions</h2>
      <ul>
        {data?.versions.map((version) => (
          <li key={version.version}>
            Version {version.version}, {dateTime(version.createdAt)}: {version.changes.join('; ') || 'first version'}
          </li>
        ))}
      </ul>
    </main>
  );
}

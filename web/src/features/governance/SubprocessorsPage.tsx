import { client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { labelOf } from '../../ui/labels.ts';
import { NewSubprocessorForm } from './NewSubprocessorForm.tsx';

/** Sub-processors, where they are and under which safeguard. */
export function SubprocessorsPage({ canManage, workspaceSlug }: { canManage: boolean; workspaceSlug: string }) {
  const { data, error, act } = usePageData(['subprocessors'], async (signal) =>
    (await unwrap(client.GET('/api/v1/subprocessors', { signal }))).items.filter((processor) => processor.active),
  );
  return (
    <main>
      <h1>Sub-processors</h1>
      <ErrorMessage error={error} />
      <p>
        Public page: <a href={`/privacy/${workspaceSlug}/subprocessors`}>/privacy/{workspaceSlug}/subprocessors</a>
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Service</th>
              <th>Country</th>
              <th>Safeguard</th>
              <th>Agreement</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.map((processor) => (
              <tr key={processor.id}>
                <td className="wrap">{processor.name}</td>
                <td className="wrap">{processor.service}</td>
                <td>
                  {processor.country} {processor.thirdCountryTransfer && <span className="badge">outside the EEA</span>}
                </td>
                <td>
                  {processor.safeguard === 'sccs'
                    ? `SCCs module ${processor.sccModule} (${processor.sccVersion})`
                    : labelOf(processor.safeguard)}
                </td>
                <td className="wrap">{processor.agreementRef || '—'}</td>
                <td>
                  {canManage && (
                    <ConfirmButton
                      label="Remove"
                      title={`Remove ${processor.name} from the sub-processors?`}
                      confirmLabel="Remove"
                      onConfirm={act(() => unwrap(client.DELETE('/api/v1/subprocessors/{id}', { params: { path: { id: processor.id } } })))}
                    >
                      <p>It leaves the register and the public page; the change is kept in the audit trail.</p>
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canManage && (
        <NewSubprocessorForm onSubmit={(processor) => act(() => unwrap(client.POST('/api/v1/subprocessors', { body: processor })))()} />
      )}
    </main>
  );
}

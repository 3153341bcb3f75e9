import { useState } from 'react';
import { client, unwrap, type ResponseOf } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { LegalHolds } from './LegalHolds.tsx';
import { NewRetentionRuleForm } from './NewRetentionRuleForm.tsx';
import { RetentionDryRun } from './RetentionDryRun.tsx';
import { RetentionRuleRow } from './RetentionRuleRow.tsx';

type Preview = ResponseOf<'/api/v1/retention-rules/{id}/preview'>;

/** Retention rules with their dry run and last run, and the records under legal hold. */
export function RetentionPage() {
  const { data, error, act } = usePageData(['retention'], async (signal) => ({
    rules: (await unwrap(client.GET('/api/v1/retention-rules', { signal }))).items,
    holds: (await unwrap(client.GET('/api/v1/legal-holds', { signal }))).items,
  }));
  const [preview, setPreview] = useState<Preview | null>(null);
  return (
    <main>
      <h1>Retention</h1>
      <ErrorMessage error={error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Rule</th>
              <th>Applies to</th>
              <th>After</th>
              <th>Action</th>
              <th>Last run</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.rules.map((rule) => (
              <RetentionRuleRow
                key={rule.id}
                rule={rule}
                onDryRun={act(async () =>
                  setPreview(await unwrap(client.GET('/api/v1/retention-rules/{id}/preview', { params: { path: { id: rule.id } } }))),
                )}
                onToggle={act(() =>
                  unwrap(
                    client.PATCH('/api/v1/retention-rules/{id}', { params: { path: { id: rule.id } }, body: { enabled: !rule.enabled } }),
                  ),
                )}
                onRun={act(() => unwrap(client.POST('/api/v1/retention-rules/{id}/run', { params: { path: { id: rule.id } } })))}
              />
            ))}
          </tbody>
        </table>
      </div>
      {preview && <RetentionDryRun preview={preview} />}
      <NewRetentionRuleForm onSubmit={(rule) => act(() => unwrap(client.POST('/api/v1/retention-rules', { body: rule })))()} />
      <LegalHolds
        holds={data?.holds ?? []}
        onRelease={(id) => act(() => unwrap(client.DELETE('/api/v1/legal-holds/{id}', { params: { path: { id } } })))()}
      />
    </main>
  );
}

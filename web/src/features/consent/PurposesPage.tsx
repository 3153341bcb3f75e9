import { useState } from 'react';
import { byId, client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { BalancingTestForm } from './BalancingTestForm.tsx';
import { NewPurposeForm } from './NewPurposeForm.tsx';
import { PurposeRow } from './PurposeRow.tsx';

/** Purposes with their legal basis; legitimate interest with its balancing test. */
export function PurposesPage({ memberId, canManage }: { memberId: string; canManage: boolean }) {
  // The key usePurposes reads: a change here shows on every screen that offers purposes.
  const { data, error, act, run } = usePageData(['purposes'], (signal) => unwrap(client.GET('/api/v1/purposes', { signal })));
  const [assessing, setAssessing] = useState<string | null>(null);
  return (
    <main>
      <h1>Purposes and legal bases</h1>
      <ErrorMessage error={error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Purpose</th>
              <th>Legal basis</th>
              <th>Status</th>
              <th>Retention</th>
              <th>Recipients</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((purpose) => (
              <PurposeRow
                key={purpose.id}
                purpose={purpose}
                canManage={canManage}
                onStatus={(status) => act(() => unwrap(client.PATCH('/api/v1/purposes/{id}', { ...byId(purpose.id), body: { status } })))()}
                onAssess={() => setAssessing(assessing === purpose.id ? null : purpose.id)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {assessing && (
        <BalancingTestForm
          onSubmit={async (test) => {
            await run(() =>
              unwrap(client.POST('/api/v1/purposes/{id}/balancing-tests', { ...byId(assessing), body: { ...test, reviewerId: memberId } })),
            );
            setAssessing(null);
          }}
        />
      )}
      {canManage && <NewPurposeForm onSubmit={(purpose) => run(() => unwrap(client.POST('/api/v1/purposes', { body: purpose })))} />}
    </main>
  );
}

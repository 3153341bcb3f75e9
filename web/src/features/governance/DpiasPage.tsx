import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { DpiaSection } from './DpiaSection.tsx';
import { NewDpiaForm } from './NewDpiaForm.tsx';

/** Impact assessments: risks scored, DPO opinion, sign-off, review date. */
export function DpiasPage({ canManage }: { canManage: boolean }) {
  const { data, error, act } = usePageData(['dpias'], async (signal) => ({
    dpias: (await unwrap(client.GET('/api/v1/dpias', { signal }))).items,
    activities: (await unwrap(client.GET('/api/v1/register', { signal }))).activities,
  }));
  const [adding, setAdding] = useState<string | null>(null);
  const activities = data?.activities ?? [];
  return (
    <main>
      <h1>Impact assessments</h1>
      <ErrorMessage error={error} />
      {data?.dpias.map((dpia) => (
        <DpiaSection
          key={dpia.id}
          dpia={dpia}
          activityName={activities.find((activity) => activity.id === dpia.activityId)?.name ?? dpia.activityId}
          canManage={canManage}
          addingRisk={adding === dpia.id}
          onAddRisk={() => setAdding(dpia.id)}
          onChange={(patch, after) =>
            act(async () => {
              await unwrap(client.PATCH('/api/v1/dpias/{id}', { params: { path: { id: dpia.id } }, body: patch }));
              after?.();
            })()
          }
          onSignOff={act(() => unwrap(client.POST('/api/v1/dpias/{id}/sign-off', { params: { path: { id: dpia.id } } })))}
          onRiskAdded={() => setAdding(null)}
        />
      ))}
      {canManage && (
        <NewDpiaForm activities={activities} onSubmit={(dpia) => act(() => unwrap(client.POST('/api/v1/dpias', { body: dpia })))()} />
      )}
    </main>
  );
}

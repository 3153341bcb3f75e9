import { signUp, type Client, type Response, type TestEnv } from './helpers.ts';

type Count = (tenantId: string) => Promise<number>;
export interface Scenario {
  action: string;
  run(env: TestEnv, count: Count): Promise<{ response: Response; tenantId: string; before: number }>;
}

/** A scenario run by a new workspace's administrator: act prepares, and returns the request to count. */
export function adminScenario(action: string, act: (admin: Client) => Promise<() => Promise<Response>>): Scenario {
  return {
    action,
    async run(env, count) {
      const admin = await signUp(env);
      const tenantId = admin.info.workspace.id as string;
      const request = await act(admin);
      const before = await count(tenantId);
      return { response: await request(), tenantId, before };
    },
  };
}

const RECORDS = [
  { path: 'accounts', object: 'account', body: { name: 'Acme' } },
  { path: 'contacts', object: 'contact', body: { firstName: 'Ada' } },
  { path: 'leads', object: 'lead', body: { firstName: 'Ada' } },
  { path: 'opportunities', object: 'opportunity', body: { name: 'Deal' } },
] as const;

async function twoRecords(admin: Client, path: string, body: object): Promise<string[]> {
  const made = [await admin.post(`/api/v1/${path}`, body), await admin.post(`/api/v1/${path}`, body)];
  return made.map((response) => response.body.id);
}

/** Saved views, bulk actions on every list (one event each, however many records a bulk action touches), task reminders. */
export const SALES_SCENARIOS: Record<string, Scenario> = {
  'POST /api/v1/views': adminScenario('view.create', async (admin) => () => admin.post('/api/v1/views', { object: 'contact', name: 'V' })),
  'PATCH /api/v1/views/:id': adminScenario('view.update', async (admin) => {
    const view = await admin.post('/api/v1/views', { object: 'contact', name: 'V' });
    return () => admin.patch(`/api/v1/views/${view.body.id}`, { shared: true });
  }),
  'POST /api/v1/tasks/:id/dismiss-reminder': adminScenario('task.dismiss_reminder', async (admin) => {
    const task = await admin.post('/api/v1/tasks', { title: 'Call back', dueAt: new Date(Date.now() - 60_000).toISOString() });
    return () => admin.post(`/api/v1/tasks/${task.body.id}/dismiss-reminder`);
  }),
  'DELETE /api/v1/views/:id': adminScenario('view.delete', async (admin) => {
    const view = await admin.post('/api/v1/views', { object: 'contact', name: 'V' });
    return () => admin.delete(`/api/v1/views/${view.body.id}`);
  }),
};

for (const { path, object, body } of RECORDS) {
  SALES_SCENARIOS[`POST /api/v1/${path}/bulk/assign`] = adminScenario(`${object}.bulk_assign`, async (admin) => {
    const ids = await twoRecords(admin, path, body);
    return () => admin.post(`/api/v1/${path}/bulk/assign`, { ids, ownerId: admin.info.member.id });
  });
  SALES_SCENARIOS[`POST /api/v1/${path}/bulk/delete`] = adminScenario(`${object}.bulk_delete`, async (admin) => {
    const ids = await twoRecords(admin, path, body);
    return () => admin.post(`/api/v1/${path}/bulk/delete`, { ids });
  });
  if (object === 'contact' || object === 'lead') {
    SALES_SCENARIOS[`POST /api/v1/${path}/bulk/add-to-segment`] = adminScenario(`${object}.bulk_add_to_segment`, async (admin) => {
      const ids = await twoRecords(admin, path, body);
      return () => admin.post(`/api/v1/${path}/bulk/add-to-segment`, { ids, segmentName: 'Picked' });
    });
  }
}

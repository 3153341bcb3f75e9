import { setSender } from './consent-fixtures.ts';
import { adminScenario, type Scenario } from './sales-audit-scenarios.ts';

const SOURCE = { sourceType: 'import', sourceRef: 'fair.csv', label: 'the trade fair list' };

/** Art. 14 notices: sending them, the workspace's template, the sources and their exemptions. */
export const NOTICE_SCENARIOS: Record<string, Scenario> = {
  'POST /api/v1/notices/send': adminScenario('notice.send', async (admin) => {
    await setSender(admin);
    await admin.post('/api/v1/contacts', { firstName: 'Ada', emails: ['ada@card.example'] });
    return () => admin.post('/api/v1/notices/send', { due: true });
  }),
  'PUT /api/v1/notices/template': adminScenario('notice_template.update', async (admin) => {
    const template = (await admin.get('/api/v1/notices/template')).body;
    return () => admin.put('/api/v1/notices/template', { subject: template.subject, body: template.body, autoSend: false });
  }),
  'POST /api/v1/notice-sources': adminScenario('notice_source.save', async (admin) => () => admin.post('/api/v1/notice-sources', SOURCE)),
  'DELETE /api/v1/notice-sources/:id': adminScenario('notice_source.delete', async (admin) => {
    const source = await admin.post('/api/v1/notice-sources', SOURCE);
    return () => admin.delete(`/api/v1/notice-sources/${source.body.id}`);
  }),
};

import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork } from '../crm/context.ts';
import { isoRequired } from '../shared/dates.ts';
import { isRecordVisible } from '../crm/records.ts';
import { notFound } from '../http/errors.ts';
import type { linkListQuery, recordLinksView } from './schema.ts';

/** Where a record came from or went to in other CRMs, and by which rule it was linked: the explanation of every match. */
export function recordLinks(
  app: AppContext,
  caller: Caller,
  query: z.infer<typeof linkListQuery>,
): Promise<z.infer<typeof recordLinksView>> {
  return crmWork(app, caller, async (work) => {
    if (!(await isRecordVisible(work, query.recordType, query.recordId))) throw notFound('Record');
    const links = await work.tx
      .selectFrom('sync_links as l')
      .innerJoin('integrations as i', (join) => join.onRef('i.tenant_id', '=', 'l.tenant_id').onRef('i.id', '=', 'l.integration_id'))
      .select([
        'l.integration_id',
        'i.label',
        'i.kind',
        'l.object',
        'l.external_id',
        'l.origin',
        'l.match_rule',
        'l.filled_fields',
        'l.synced_at',
      ])
      .where('l.tenant_id', '=', work.tenantId)
      .where('l.record_type', '=', query.recordType)
      .where('l.record_id', '=', query.recordId)
      .orderBy('l.synced_at')
      .execute();
    const targets = await work.tx
      .selectFrom('integrations')
      .select(['id', 'label', 'kind'])
      .where('tenant_id', '=', work.tenantId)
      .where('status', '=', 'active')
      .orderBy('created_at')
      .execute();
    return {
      items: links.map((link) => ({
        integrationId: link.integration_id,
        integrationLabel: link.label,
        kind: link.kind,
        object: link.object,
        externalId: link.external_id,
        origin: link.origin,
        matchRule: link.match_rule,
        filledFields: link.filled_fields,
        syncedAt: isoRequired(link.synced_at),
      })),
      pushTargets: targets,
    };
  });
}

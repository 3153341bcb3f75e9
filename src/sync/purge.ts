import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { withTenant } from '../db/tenant.ts';
import type { PurgeCertificate } from '../db/types-sync.ts';
import type { Job, Lease } from '../jobs/queue.ts';
import { syncWork } from './engine.ts';
import type { SyncRecordType } from '../db/types-sync.ts';
import { clearFilledFields, linkCounts, removeSyncedRecords, type LinkRow } from './stores.ts';

/**
 * The purge after a disconnect. Every record only this connection brought in is deleted with its
 * tasks and notes and its data key; a record that exists for another reason (it was matched, or
 * another connection links it too) loses only this connection's link and the fields it filled.
 * Counts before and after, per object, make the certificate; batches commit with their counts,
 * so a purge that dies resumes where it was.
 */

export const PURGE_QUEUE = 'sync.purge';
const BATCH = 500;

export async function runPurge(app: AppContext, job: Job, lease: Lease): Promise<void> {
  const tenantId = job.tenant_id!;
  const integrationId = String(job.payload.integrationId);
  const ready = await withTenant(app.db, tenantId, async (tx) => {
    const integration = await tx.selectFrom('integrations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', integrationId).executeTakeFirst();
    if (!integration || integration.status !== 'disconnecting') return null;
    if (integration.purge_certificate) return integration;
    const counts = await linkCounts(tx, tenantId, integrationId);
    const certificate: PurgeCertificate = {
      startedAt: new Date().toISOString(),
      finishedAt: null,
      credentialsRevoked: integration.credentials_enc === null,
      objects: Object.fromEntries(integration.objects.map((object) => [object, { before: counts[object] ?? 0, deleted: 0, unlinked: 0, after: 0 }])),
    };
    return tx
      .updateTable('integrations')
      .set({ purge_certificate: JSON.stringify(certificate) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', integrationId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  if (!ready) return;

  for (;;) {
    const removed = await withTenant(app.db, tenantId, async (tx) => {
      const integration = await tx.selectFrom('integrations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', integrationId).forUpdate().executeTakeFirstOrThrow();
      const certificate = integration.purge_certificate!;
      const work = syncWork(app, tx, integration);
      const links = await tx.selectFrom('sync_links').selectAll().where('tenant_id', '=', tenantId).where('integration_id', '=', integrationId).orderBy('object').orderBy('external_id').limit(BATCH).execute();
      if (links.length === 0) return 0;
      const recordIds = [...new Set(links.map((link) => link.record_id))];
      const elsewhere = new Map(
        (
          await tx
            .selectFrom('sync_links')
            .select(['record_id', 'integration_id'])
            .where('tenant_id', '=', tenantId)
            .where('record_id', 'in', recordIds)
            .where('integration_id', '!=', integrationId)
            .execute()
        ).map((row) => [row.record_id, row.integration_id]),
      );
      const doomed = new Map<SyncRecordType, string[]>();
      const kept: LinkRow[] = [];
      for (const link of links) {
        const entry = (certificate.objects[link.object] ??= { before: 0, deleted: 0, unlinked: 0, after: 0 });
        if (link.origin === 'created' && !elsewhere.has(link.record_id)) {
          (doomed.get(link.record_type) ?? doomed.set(link.record_type, []).get(link.record_type)!).push(link.record_id);
          entry.deleted += 1;
        } else {
          kept.push(link);
          entry.unlinked += 1;
        }
      }
      await work.sealer.preload(kept.filter((link) => link.record_type === 'contact').map((link) => link.record_id));
      for (const link of kept) {
        if (link.origin === 'matched') await clearFilledFields(work, link);
        // The record stays because another connection brought it in too: that one is now its source.
        const other = elsewhere.get(link.record_id);
        if (link.origin === 'created' && other && (link.record_type === 'contact' || link.record_type === 'lead')) {
          await tx
            .updateTable(link.record_type === 'contact' ? 'contacts' : 'leads')
            .set({ source_ref: other })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', link.record_id)
            .where('source_type', '=', 'connector')
            .where('source_ref', '=', integrationId)
            .execute();
        }
      }
      if (kept.length > 0) {
        await tx
          .deleteFrom('sync_links')
          .where('tenant_id', '=', tenantId)
          .where('integration_id', '=', integrationId)
          .where('record_id', 'in', kept.map((link) => link.record_id))
          .execute();
      }
      for (const [type, ids] of doomed) await removeSyncedRecords(work, type, [...new Set(ids)]);
      await tx.updateTable('integrations').set({ purge_certificate: JSON.stringify(certificate) }).where('tenant_id', '=', tenantId).where('id', '=', integrationId).execute();
      return links.length;
    });
    if (removed === 0) break;
    await lease.renew();
  }

  await withTenant(app.db, tenantId, async (tx) => {
    const integration = await tx.selectFrom('integrations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', integrationId).forUpdate().executeTakeFirstOrThrow();
    const certificate = integration.purge_certificate!;
    const remaining = await linkCounts(tx, tenantId, integrationId);
    for (const [object, entry] of Object.entries(certificate.objects)) entry.after = remaining[object] ?? 0;
    certificate.finishedAt = new Date().toISOString();
    // External ids are identifiers in the other CRM: the review list and failure reports keep none.
    await tx.deleteFrom('sync_match_reviews').where('tenant_id', '=', tenantId).where('integration_id', '=', integrationId).execute();
    await tx.updateTable('sync_runs').set({ failures: '[]' }).where('tenant_id', '=', tenantId).where('integration_id', '=', integrationId).execute();
    await tx
      .updateTable('integrations')
      .set({ status: 'disconnected', purge_certificate: JSON.stringify(certificate) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', integrationId)
      .execute();
    const fields = Object.entries(certificate.objects).map(([object, e]) => `${object}:before=${e.before},deleted=${e.deleted},unlinked=${e.unlinked},after=${e.after}`);
    await recordAudit(tx, tenantId, { actorType: 'system', actorId: `sync:${integrationId}` }, { action: 'integration.purge', objectType: 'integration', objectId: integrationId, fields });
  });
}

import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
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

const KEPT_REASON = {
  converted:
    "converted here from a lead this connection brought in: the contact is the workspace's own record now; its provenance still names this connection (erase it through a data subject request if it must go)",
  unlinked: 'brought in by this connection but no longer linked to it, so not purged; its provenance still names this connection',
} as const;

/**
 * Contacts converted here from leads this connection brought in: counted before the purge deletes
 * those leads, as nothing else tells such a contact from one the connection created.
 */
async function convertedFromLinkedLeads(tx: Tx, tenantId: string, integrationId: string): Promise<number> {
  const row = await tx
    .selectFrom('sync_links')
    .innerJoin('leads', (join) => join.onRef('leads.tenant_id', '=', 'sync_links.tenant_id').onRef('leads.id', '=', 'sync_links.record_id'))
    .innerJoin('contacts', (join) =>
      join.onRef('contacts.tenant_id', '=', 'leads.tenant_id').onRef('contacts.id', '=', 'leads.converted_contact_id'),
    )
    .select(sql<number>`count(distinct contacts.id)::int`.as('count'))
    .where('sync_links.tenant_id', '=', tenantId)
    .where('sync_links.integration_id', '=', integrationId)
    .where('sync_links.record_type', '=', 'lead')
    .where('contacts.source_type', '=', 'connector')
    .where('contacts.source_ref', '=', integrationId)
    .executeTakeFirstOrThrow();
  return row.count;
}

/** Erasures still owed to the CRM when the disconnect was confirmed anyway: counted on the certificate, then dropped (they carried external ids). */
async function abandonOwedErasures(tx: Tx, tenantId: string, integrationId: string): Promise<number> {
  const dropped = await tx
    .deleteFrom('sync_erasures')
    .where('tenant_id', '=', tenantId)
    .where('integration_id', '=', integrationId)
    .returning('id')
    .execute();
  return dropped.length;
}

/** What still names the connection as its source once every link is gone: the certificate says so, and why. */
async function stillSourcedFrom(tx: Tx, tenantId: string, integrationId: string, converted: number): Promise<PurgeCertificate['kept']> {
  const count = async (table: 'contacts' | 'leads') =>
    (
      await tx
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as('count'))
        .where('tenant_id', '=', tenantId)
        .where('source_type', '=', 'connector')
        .where('source_ref', '=', integrationId)
        .executeTakeFirstOrThrow()
    ).count;
  const contacts = await count('contacts');
  const leads = await count('leads');
  const kept: PurgeCertificate['kept'] = [];
  const convertedLeft = Math.min(converted, contacts);
  if (convertedLeft > 0) kept.push({ recordType: 'contact', count: convertedLeft, reason: KEPT_REASON.converted });
  if (contacts > convertedLeft) kept.push({ recordType: 'contact', count: contacts - convertedLeft, reason: KEPT_REASON.unlinked });
  if (leads > 0) kept.push({ recordType: 'lead', count: leads, reason: KEPT_REASON.unlinked });
  return kept;
}

/** The external object a kept record is counted under: a converted contact under the leads it came from. */
function objectOfKept(certificate: PurgeCertificate, kept: PurgeCertificate['kept'][number]): string | undefined {
  const recordType = kept.reason === KEPT_REASON.converted ? 'lead' : kept.recordType;
  return Object.entries(certificate.objects).find(([, entry]) => entry.recordType === recordType)?.[0];
}

export async function runPurge(app: AppContext, job: Job, lease: Lease): Promise<void> {
  const tenantId = job.tenant_id!;
  const integrationId = String(job.payload.integrationId);
  const ready = await withTenant(app.db, tenantId, async (tx) => {
    const integration = await tx
      .selectFrom('integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', integrationId)
      .executeTakeFirst();
    if (!integration || integration.status !== 'disconnecting') return null;
    if (integration.purge_certificate) return integration;
    const counts = await linkCounts(tx, tenantId, integrationId);
    const certificate: PurgeCertificate = {
      startedAt: new Date().toISOString(),
      finishedAt: null,
      credentialsDeleted: integration.credentials_enc === null,
      credentialsRevoked: integration.vendor_revocation?.revoked ?? false,
      credentialsRevocation: integration.vendor_revocation?.detail ?? 'not asked (disconnected before revocation was asked of vendors)',
      kept: [],
      convertedLeads: await convertedFromLinkedLeads(tx, tenantId, integrationId),
      owedErasuresAbandoned: await abandonOwedErasures(tx, tenantId, integrationId),
      objects: Object.fromEntries(
        integration.objects.map((object) => [object, { before: counts[object] ?? 0, deleted: 0, unlinked: 0, after: 0 }]),
      ),
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
      const integration = await tx
        .selectFrom('integrations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', integrationId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const certificate = integration.purge_certificate!;
      const work = syncWork(app, tx, integration);
      const links = await tx
        .selectFrom('sync_links')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('integration_id', '=', integrationId)
        .orderBy('object')
        .orderBy('external_id')
        .limit(BATCH)
        .execute();
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
        entry.recordType = link.record_type;
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
          .where(
            'record_id',
            'in',
            kept.map((link) => link.record_id),
          )
          .execute();
      }
      for (const [type, ids] of doomed) await removeSyncedRecords(work, type, [...new Set(ids)]);
      await tx
        .updateTable('integrations')
        .set({ purge_certificate: JSON.stringify(certificate) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', integrationId)
        .execute();
      return links.length;
    });
    if (removed === 0) break;
    await lease.renew();
  }

  await withTenant(app.db, tenantId, async (tx) => {
    const integration = await tx
      .selectFrom('integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', integrationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const certificate = integration.purge_certificate!;
    const remaining = await linkCounts(tx, tenantId, integrationId);
    certificate.kept = await stillSourcedFrom(tx, tenantId, integrationId, certificate.convertedLeads ?? 0);
    for (const [object, entry] of Object.entries(certificate.objects)) {
      // Records that still name this connection as their source are what remains of the object they came from.
      const sourced = certificate.kept
        .filter((kept) => objectOfKept(certificate, kept) === object)
        .reduce((sum, kept) => sum + kept.count, 0);
      entry.after = (remaining[object] ?? 0) + sourced;
    }
    certificate.finishedAt = new Date().toISOString();
    // External ids are identifiers in the other CRM: the review list and failure reports keep none.
    await tx.deleteFrom('sync_match_reviews').where('tenant_id', '=', tenantId).where('integration_id', '=', integrationId).execute();
    await tx
      .updateTable('sync_runs')
      .set({ failures: '[]' })
      .where('tenant_id', '=', tenantId)
      .where('integration_id', '=', integrationId)
      .execute();
    await tx
      .updateTable('integrations')
      .set({ status: 'disconnected', purge_certificate: JSON.stringify(certificate) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', integrationId)
      .execute();
    const fields = Object.entries(certificate.objects).map(
      ([object, e]) => `${object}:before=${e.before},deleted=${e.deleted},unlinked=${e.unlinked},after=${e.after}`,
    );
    await recordAudit(
      tx,
      tenantId,
      { actorType: 'system', actorId: `sync:${integrationId}` },
      { action: 'integration.purge', objectType: 'integration', objectId: integrationId, fields },
    );
  });
}

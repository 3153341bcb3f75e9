import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { Job } from '../jobs/queue.ts';
import { enqueue } from '../jobs/queue.ts';
import { connectorOf } from './connectors.ts';
import { activeIntegrationsOwed, linkedCopies, recordRefusal } from './refusals.ts';

/**
 * An erasure here reaches the connected CRMs: before the person's links are deleted with the
 * rest of their rows, what each link points at is queued for deletion there, and a job makes the
 * delete calls (an object already gone counts as deleted), as permanent as each vendor's API
 * allows (HubSpot's GDPR delete), leaving a receipt per recipient (Art. 19). A CRM that refuses
 * the credentials keeps its deletions queued until the integration is reconnected.
 */

export const ERASE_QUEUE = 'sync.erase';

/** In the erasure's transaction: queue the deletions owed to connected CRMs for these records. */
export async function queueErasureInConnectedCrms(
  tx: Tx,
  tenantId: string,
  people: Array<{ type: string; id: string }>,
  requestId: string | null = null,
): Promise<number> {
  if (people.length === 0) return 0;
  const { rows } = await sql<{ n: number }>`
    with queued as (
      insert into sync_erasures (tenant_id, integration_id, object, external_id, request_id)
      select l.tenant_id, l.integration_id, l.object, l.external_id, ${requestId}::uuid
      from ${linkedCopies(tenantId, people)} l
      on conflict do nothing
      returning 1)
    select count(*)::int as n from queued`.execute(tx);
  const queued = rows[0]?.n ?? 0;
  if (queued > 0) await enqueueErasureJob(tx, tenantId);
  return queued;
}

/** Queues the job that works through the owed deletions (a no-op while one is queued or running). */
export function enqueueErasureJob(tx: Tx, tenantId: string): Promise<void> {
  return enqueue(tx, { queue: ERASE_QUEUE, tenantId, singletonKey: `sync-erase:${tenantId}`, maxAttempts: 10 });
}

/** The job: deletes the queued objects in each connected CRM, audited per integration. */
export async function runErasures(app: AppContext, job: Job): Promise<void> {
  const tenantId = job.tenant_id!;
  const integrations = await activeIntegrationsOwed(app, tenantId, 'sync_erasures');
  let failed = 0;
  for (const integration of integrations) {
    const connector = await withTenant(app.db, tenantId, (tx) => connectorOf(app, tx, integration));
    const owed = await withTenant(app.db, tenantId, (tx) =>
      tx.selectFrom('sync_erasures').selectAll().where('tenant_id', '=', tenantId).where('integration_id', '=', integration.id).execute(),
    );
    const done: Record<string, number> = {};
    for (const erasure of owed) {
      try {
        const receipt = await connector.erase(erasure.object, erasure.external_id);
        // The receipt (Art. 19) and the end of the debt commit together; the external id is not kept.
        await withTenant(app.db, tenantId, async (tx) => {
          await tx.deleteFrom('sync_erasures').where('tenant_id', '=', tenantId).where('id', '=', erasure.id).execute();
          await tx
            .insertInto('sync_erasure_receipts')
            .values({
              tenant_id: tenantId,
              integration_id: integration.id,
              request_id: erasure.request_id,
              object: erasure.object,
              method: receipt.method,
              permanent: receipt.permanent,
              note: receipt.note,
            })
            .execute();
        });
        done[erasure.object] = (done[erasure.object] ?? 0) + 1;
      } catch (error) {
        failed += 1;
        const what = `The erasure in ${integration.label} (${integration.kind}, ${erasure.object})`;
        const refused = {
          table: 'sync_erasures' as const,
          id: erasure.id,
          attempts: erasure.attempts,
          requestId: erasure.request_id,
          what,
        };
        if (await recordRefusal(app, integration, refused, error)) break;
      }
    }
    if (Object.keys(done).length > 0) {
      await withTenant(app.db, tenantId, (tx) =>
        recordAudit(
          tx,
          tenantId,
          { actorType: 'system', actorId: `sync:${integration.id}` },
          {
            action: 'sync.erase',
            objectType: 'integration',
            objectId: integration.id,
            fields: Object.entries(done).map(([object, count]) => `${object}:${count}`),
          },
        ),
      );
    }
  }
  if (failed > 0) throw new Error(`${failed} deletion(s) in connected CRMs failed; they are retried`);
}

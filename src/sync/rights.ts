import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import type { PersonRef } from '../crm/people.ts';
import { Sealer } from '../crypto/sealer.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { RightsOperation } from '../db/types-sync.ts';
import type { Job } from '../jobs/queue.ts';
import { enqueue } from '../jobs/queue.ts';
import type { RightsReceipt } from './connector.ts';
import { connectorOf } from './connectors.ts';
import { contentHash, fieldsOf } from './record-fields.ts';
import { activeIntegrationsOwed, linkedCopies, recordRefusal } from './refusals.ts';
import type { IntegrationRow } from './stores.ts';

/**
 * A rectification (Art. 16) or an objection to direct marketing (Art. 21(2)-(3)) reaches the
 * connected CRMs holding a copy of the person (Art. 19): queued in the transaction that records
 * it, then a job writes the corrected values over each copy, or unsubscribes the person there,
 * and keeps the vendor's answer as a receipt on the request. A refusal stays queued, is retried,
 * is written on the request and listed for review (src/sync/refusals.ts). Erasures have their own
 * queue (src/sync/erasure.ts).
 */

export const RIGHTS_QUEUE = 'sync.rights';
const LABEL: Record<RightsOperation, string> = { rectification: 'rectification', objection: 'objection to direct marketing' };

/** Queues the job that works through what is owed (a no-op while one is queued or running). */
export function enqueueRightsJob(tx: Tx, tenantId: string): Promise<void> {
  return enqueue(tx, { queue: RIGHTS_QUEUE, tenantId, singletonKey: `sync-rights:${tenantId}`, maxAttempts: 10 });
}

/** In the transaction that rectifies or records the objection: owe it to every connected CRM holding one of these people. */
export async function queueRightsInConnectedCrms(
  tx: Tx,
  tenantId: string,
  operation: RightsOperation,
  people: PersonRef[],
  requestId: string | null,
): Promise<number> {
  if (people.length === 0) return 0;
  const { rows } = await sql<{ n: number }>`
    with queued as (
      insert into sync_rights_owed (tenant_id, integration_id, request_id, operation, record_type, record_id)
      select distinct l.tenant_id, l.integration_id, ${requestId}::uuid, ${operation}, l.record_type, l.record_id
      from ${linkedCopies(tenantId, people)} l
      on conflict do nothing
      returning 1)
    select count(*)::int as n from queued`.execute(tx);
  const queued = rows[0]?.n ?? 0;
  if (queued > 0) await enqueueRightsJob(tx, tenantId);
  return queued;
}

type OwedRow = { id: string; request_id: string | null; operation: RightsOperation; record_type: 'contact' | 'lead'; record_id: string };

/** Carries one owed operation into every copy the integration holds of the record; the answers, per object. */
async function carryOut(app: AppContext, integration: IntegrationRow, owed: OwedRow): Promise<Array<{ object: string; answer: string }>> {
  const tenantId = integration.tenant_id;
  const { links, fields } = await withTenant(app.db, tenantId, async (tx) => {
    const links = await tx
      .selectFrom('sync_links')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('integration_id', '=', integration.id)
      .where('record_type', '=', owed.record_type)
      .where('record_id', '=', owed.record_id)
      .execute();
    const reader = { tx, tenantId, sealer: new Sealer(app, tx, tenantId) };
    const fields =
      owed.operation === 'rectification' && links.length > 0
        ? await fieldsOf(reader, integration.id, owed.record_type, owed.record_id)
        : {};
    return { links, fields };
  });
  const connector = await withTenant(app.db, tenantId, (tx) => connectorOf(app, tx, integration));
  const answers: Array<{ object: string; answer: string }> = [];
  for (const link of links) {
    let receipt: RightsReceipt;
    if (owed.operation === 'objection') receipt = await connector.optOut(link.object, link.external_id);
    else {
      const external = await connector.update(link.object, link.external_id, fields);
      // The copy now holds our values: the next sync must not take them for a change made there.
      await withTenant(app.db, tenantId, async (tx) => {
        const hash = await contentHash(new Sealer(app, tx, tenantId), owed.record_type, external);
        await tx
          .updateTable('sync_links')
          .set({ content_hash: hash, external_updated_at: external.updatedAt, synced_at: new Date() })
          .where('tenant_id', '=', tenantId)
          .where('integration_id', '=', integration.id)
          .where('object', '=', link.object)
          .where('external_id', '=', link.external_id)
          .execute();
      });
      receipt = { answer: `the corrected values were written over the ${link.object} record in ${integration.label}` };
    }
    answers.push({ object: link.object, answer: receipt.answer });
  }
  return answers;
}

/** The job: what each active connected CRM is owed, carried out; a receipt per copy, audited per integration. */
export async function runRightsOperations(app: AppContext, job: Job): Promise<void> {
  const tenantId = job.tenant_id!;
  const integrations = await activeIntegrationsOwed(app, tenantId, 'sync_rights_owed');
  let failed = 0;
  for (const integration of integrations) {
    const owedRows = await withTenant(app.db, tenantId, (tx) =>
      tx
        .selectFrom('sync_rights_owed')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('integration_id', '=', integration.id)
        .orderBy('requested_at')
        .execute(),
    );
    const done: string[] = [];
    for (const owed of owedRows) {
      try {
        const answers = await carryOut(app, integration, owed);
        await withTenant(app.db, tenantId, async (tx) => {
          await tx.deleteFrom('sync_rights_owed').where('tenant_id', '=', tenantId).where('id', '=', owed.id).execute();
          if (answers.length === 0) return;
          await tx
            .insertInto('sync_rights_receipts')
            .values(
              answers.map(({ object, answer }) => ({
                tenant_id: tenantId,
                integration_id: integration.id,
                request_id: owed.request_id,
                operation: owed.operation,
                object,
                answer,
              })),
            )
            .execute();
        });
        done.push(...answers.map(({ object }) => `${owed.operation}:${object}`));
      } catch (error) {
        failed += 1;
        const what = `The ${LABEL[owed.operation]} carried into ${integration.label} (${integration.kind})`;
        const refused = { table: 'sync_rights_owed' as const, id: owed.id, attempts: owed.attempts, requestId: owed.request_id, what };
        if (await recordRefusal(app, integration, refused, error)) break;
      }
    }
    if (done.length > 0) {
      await withTenant(app.db, tenantId, (tx) =>
        recordAudit(
          tx,
          tenantId,
          { actorType: 'system', actorId: `sync:${integration.id}` },
          { action: 'sync.rights', objectType: 'integration', objectId: integration.id, fields: done },
        ),
      );
    }
  }
  if (failed > 0) throw new Error(`${failed} rectification(s) or objection(s) in connected CRMs failed; they are retried`);
}

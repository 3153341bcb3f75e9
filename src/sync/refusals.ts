import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import { addEvidence } from '../rights/evidence.ts';
import { withoutAddresses } from '../shared/redact.ts';
import { ConnectorError } from './http.ts';
import type { IntegrationRow } from './stores.ts';

/** An operation a right owes a connected CRM (an erasure, a rectification, an objection), as its queue row holds it. */
export interface OwedOperation {
  table: 'sync_erasures' | 'sync_rights_owed';
  id: string;
  attempts: number;
  requestId: string | null;
  /** What was asked, in words: "The erasure in HubSpot (hubspot, contacts)". */
  what: string;
}

type OwedTable = OwedOperation['table'];

/**
 * The links to copies of these people in connected CRMs that can still be reached (active, or
 * waiting for a reconnect that will carry out what is owed): what an erasure, a rectification or
 * an objection is queued for, as a subquery to select from.
 */
export function linkedCopies(tenantId: string, people: ReadonlyArray<{ id: string }>) {
  return sql`(
    select l.* from sync_links l join integrations i on i.tenant_id = l.tenant_id and i.id = l.integration_id
    where l.tenant_id = ${tenantId} and i.status in ('active', 'needs_reconnect')
      and l.record_id = any(${people.map((p) => p.id)}::uuid[]) and l.record_type in ('contact', 'lead'))`;
}

/** The active integrations owed something in the queue: those the job works through now. */
export function activeIntegrationsOwed(app: AppContext, tenantId: string, table: OwedTable): Promise<IntegrationRow[]> {
  return withTenant(app.db, tenantId, (tx) =>
    tx
      .selectFrom('integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .where('id', 'in', tx.selectFrom(table).select('integration_id').where('tenant_id', '=', tenantId))
      .execute(),
  );
}

/** Whether an active integration is owed something in the queue (one a reconnect or a recovery unblocked). */
export async function owesAnActiveIntegration(tx: Tx, tenantId: string, table: OwedTable): Promise<boolean> {
  const owed = await tx
    .selectFrom('integrations')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('id', 'in', tx.selectFrom(table).select('integration_id').where('tenant_id', '=', tenantId))
    .limit(1)
    .executeTakeFirst();
  return owed !== undefined;
}

/**
 * A connected CRM refused an operation a right owes it (Art. 19). The refusal is counted on the
 * owed row, which stays queued for the job's retries and is the review item the compliance
 * dashboard lists; the first one is written on the request it carries out, for whoever handles it.
 * A refused credential stops the integration until it is reconnected: returns true, and the rest of
 * that integration's queue waits.
 */
export async function recordRefusal(app: AppContext, integration: IntegrationRow, owed: OwedOperation, error: unknown): Promise<boolean> {
  const tenantId = integration.tenant_id;
  const message = error instanceof Error ? error.message : String(error);
  const actor = { actorType: 'system' as const, actorId: `sync:${integration.id}` };
  await withTenant(app.db, tenantId, async (tx) => {
    await tx
      .updateTable(owed.table)
      .set({ attempts: sql`attempts + 1`, last_error: message.slice(0, 500) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', owed.id)
      .execute();
    if (owed.requestId && owed.attempts === 0) {
      await addEvidence(
        app,
        tx,
        tenantId,
        owed.requestId,
        'note',
        `${owed.what} failed: ${withoutAddresses(message).slice(0, 300)}. It is retried automatically; the request lists it as owed until ${integration.label} confirms.`,
        actor,
      );
    }
  });
  if (!(error instanceof ConnectorError && error.category === 'auth')) return false;
  await withTenant(app.db, tenantId, (tx) =>
    tx
      .updateTable('integrations')
      .set({ status: 'needs_reconnect', status_reason: message.slice(0, 500) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', integration.id)
      .execute(),
  );
  return true;
}

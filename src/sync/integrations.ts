import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { purposeReference } from '../consent/purposes.ts';
import type { Tx } from '../db/tenant.ts';
import type { PurgeCertificate, SyncRunsTable } from '../db/types-sync.ts';
import { enqueue } from '../jobs/queue.ts';
import { conflict, notFound, unprocessable } from '../http/errors.ts';
import { requestRun } from './engine.ts';
import { checkedBaseUrl, checkedCredentials, connectorEntry, objectsOf, openCredentials, sealCredentials } from './connectors.ts';
import { PURGE_QUEUE } from './purge.ts';
import { revokeAtVendor } from './revoke.ts';
import { type integrationInput, type integrationPatch, type integrationView, type runView } from './schema.ts';
import { linkCounts, type IntegrationRow } from './stores.ts';

type RunRow = Selectable<SyncRunsTable>;

/** Certificates written before the credentials' fate and the kept records were told (migration-free: they are JSON). */
function certificateView(certificate: PurgeCertificate): PurgeCertificate {
  const legacy = certificate as Partial<PurgeCertificate> & { credentialsRevoked: boolean };
  return {
    ...certificate,
    credentialsDeleted: legacy.credentialsDeleted ?? legacy.credentialsRevoked,
    credentialsRevoked: legacy.credentialsDeleted === undefined ? false : legacy.credentialsRevoked,
    credentialsRevocation: legacy.credentialsRevocation ?? 'not recorded (certificate written before vendor revocation was reported)',
    kept: legacy.kept ?? [],
  };
}

export function toRunView(row: RunRow): z.infer<typeof runView> {
  return {
    id: row.id,
    mode: row.mode,
    state: row.state,
    changesSince: iso(row.changes_since),
    stats: row.stats,
    failures: row.failures,
    failuresTotal: row.failures_total,
    reconcile: row.reconcile,
    fullResync: row.full_resync,
    requests: row.requests,
    rateLimited: row.rate_limited,
    error: row.error,
    requestedBy: row.requested_by,
    createdAt: isoRequired(row.created_at),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    heldDeletions: row.held_deletions,
    allowMassDeletion: row.allow_mass_deletion,
  };
}

async function toView(tx: Tx, row: IntegrationRow, credentialsKind: 'api_key' | 'oauth2' | null): Promise<z.infer<typeof integrationView>> {
  const records = await linkCounts(tx, row.tenant_id, row.id);
  const reviews = await tx
    .selectFrom('sync_match_reviews')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('tenant_id', '=', row.tenant_id)
    .where('integration_id', '=', row.id)
    .where('resolved_at', 'is', null)
    .executeTakeFirstOrThrow();
  const lastRun = await tx
    .selectFrom('sync_runs')
    .selectAll()
    .where('tenant_id', '=', row.tenant_id)
    .where('integration_id', '=', row.id)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    baseUrl: row.base_url,
    credentialsKind,
    objects: row.objects,
    syncEveryHours: Math.round(row.sync_every_seconds / 3600),
    actingAs: row.acting_as,
    sellsOrShares: row.sells_or_shares,
    purposeId: row.purpose_id,
    status: row.status,
    statusReason: row.status_reason,
    connectedBy: row.connected_by,
    syncedUntil: iso(row.synced_until),
    nextSyncAt: iso(row.next_sync_at),
    records,
    openReviews: reviews.count,
    lastRun: lastRun ? toRunView(lastRun) : null,
    purgeCertificate: row.purge_certificate && certificateView(row.purge_certificate),
    createdAt: isoRequired(row.created_at),
    disconnectedAt: iso(row.disconnected_at),
  };
}

/** Which kind of credentials are stored, without showing them. */
async function credentialsKindOf(app: AppContext, tx: Tx, row: IntegrationRow): Promise<'api_key' | 'oauth2' | null> {
  return (await openCredentials(app, tx, row))?.kind ?? null;
}

export async function findIntegration(tx: Tx, tenantId: string, id: string): Promise<IntegrationRow> {
  const row = await tx.selectFrom('integrations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Integration');
  return row;
}

export function listIntegrations(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => {
    const rows = await tx
      .selectFrom('integrations')
      .selectAll()
      .where('tenant_id', '=', caller.auth.tenantId)
      .orderBy('created_at', 'desc')
      .execute();
    const items = [];
    for (const row of rows) items.push(await toView(tx, row, await credentialsKindOf(app, tx, row)));
    return { items };
  });
}

export function getIntegration(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx) => {
    const row = await findIntegration(tx, caller.auth.tenantId, id);
    return toView(tx, row, await credentialsKindOf(app, tx, row));
  });
}

/** Connects a CRM: stores the credentials sealed and queues the initial sync. */
export function createIntegration(app: AppContext, caller: Caller, input: z.infer<typeof integrationInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    const entry = connectorEntry(input.kind);
    const known = objectsOf(input.kind);
    const unknown = (input.objects ?? []).filter((object) => !known.includes(object));
    if (unknown.length > 0)
      throw unprocessable(`The ${input.kind} connector does not sync ${unknown.join(', ')}; it knows ${known.join(', ')}.`, {
        field: 'objects',
      });
    const baseUrl = await checkedBaseUrl(app, caller.auth.tenantId, input.kind, input.baseUrl ?? entry.baseUrl);
    await checkedCredentials(app, input.kind, input.credentials);
    if (input.kind !== 'csv' && !input.credentials)
      throw unprocessable('credentials are required to connect a CRM.', { field: 'credentials' });
    const id = crypto.randomUUID();
    const tenantId = caller.auth.tenantId;
    const row = await tx
      .insertInto('integrations')
      .values({
        tenant_id: tenantId,
        id,
        kind: input.kind,
        label: input.label,
        base_url: baseUrl,
        credentials_enc:
          input.credentials && input.kind !== 'csv' ? await sealCredentials(app, tx, { tenant_id: tenantId, id }, input.credentials) : null,
        acting_as: input.actingAs,
        sells_or_shares: input.sellsOrShares,
        purpose_id: input.purposeId === null ? null : (await purposeReference(tx, tenantId, input.purposeId)).id,
        objects: known.filter((object) => !input.objects || input.objects.includes(object)),
        sync_every_seconds: input.syncEveryHours * 3600,
        connected_by: caller.auth.memberId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await requestRun(tx, row, caller.auth.memberId);
    await audit({
      action: 'integration.create',
      objectType: 'integration',
      objectId: id,
      fields: ['credentials', `acting_as:${input.actingAs}`],
    });
    return toView(tx, row, input.kind === 'csv' ? null : (input.credentials?.kind ?? null));
  });
}

export function updateIntegration(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof integrationPatch>) {
  return asCaller(app, caller, async (tx, audit) => {
    const current = await findIntegration(tx, caller.auth.tenantId, id);
    if (current.status === 'disconnecting' || current.status === 'disconnected')
      throw conflict('The integration is disconnected; connect it again as a new integration.');
    await checkedCredentials(app, current.kind, patch.credentials);
    const row = await tx
      .updateTable('integrations')
      .set({
        ...(patch.label !== undefined ? { label: patch.label } : {}),
        ...(patch.syncEveryHours !== undefined ? { sync_every_seconds: patch.syncEveryHours * 3600 } : {}),
        ...(patch.actingAs !== undefined ? { acting_as: patch.actingAs } : {}),
        ...(patch.sellsOrShares !== undefined ? { sells_or_shares: patch.sellsOrShares } : {}),
        ...(patch.purposeId !== undefined
          ? { purpose_id: patch.purposeId === null ? null : (await purposeReference(tx, caller.auth.tenantId, patch.purposeId)).id }
          : {}),
        ...(patch.credentials
          ? { credentials_enc: await sealCredentials(app, tx, current, patch.credentials), status: 'active', status_reason: null }
          : {}),
      })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({
      action: 'integration.update',
      objectType: 'integration',
      objectId: id,
      fields: Object.keys(patch).filter((key) => patch[key as keyof typeof patch] !== undefined),
    });
    return toView(tx, row, await credentialsKindOf(app, tx, row));
  });
}

/** "Sync now": queues an incremental run (the initial one if none finished yet). */
export function syncNow(
  app: AppContext,
  caller: Caller,
  id: string,
  options: { allowMassDeletion: boolean; fullResync?: boolean } = { allowMassDeletion: false },
) {
  return asCaller(app, caller, async (tx, audit) => {
    const row = await findIntegration(tx, caller.auth.tenantId, id);
    if (row.status !== 'active') throw conflict(`The integration is ${row.status.replace('_', ' ')}; it cannot sync.`);
    const runId = await requestRun(tx, row, caller.auth.memberId, options);
    if (!runId) throw conflict('A sync of this integration is already queued or running.');
    await audit({
      action: 'integration.sync',
      objectType: 'integration',
      objectId: id,
      fields: [...(options.allowMassDeletion ? ['allowMassDeletion'] : []), ...(options.fullResync ? ['fullResync'] : [])],
    });
    const run = await tx
      .selectFrom('sync_runs')
      .selectAll()
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    return toRunView(run);
  });
}

export function listRuns(app: AppContext, caller: Caller, id: string, query: { limit: number; cursor?: string | undefined }) {
  return asCaller(app, caller, async (tx) => {
    await findIntegration(tx, caller.auth.tenantId, id);
    let q = tx.selectFrom('sync_runs').selectAll().where('tenant_id', '=', caller.auth.tenantId).where('integration_id', '=', id);
    if (query.cursor) q = q.where('created_at', '<', new Date(Buffer.from(query.cursor, 'base64url').toString('utf8')));
    const rows = await q
      .orderBy('created_at', 'desc')
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toRunView),
      nextCursor: rows.length > query.limit && last ? Buffer.from(isoRequired(last.created_at)).toString('base64url') : null,
    };
  });
}

async function owedErasures(tx: Tx, tenantId: string, integrationId: string): Promise<number> {
  const row = await tx
    .selectFrom('sync_erasures')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('tenant_id', '=', tenantId)
    .where('integration_id', '=', integrationId)
    .executeTakeFirstOrThrow();
  return row.count;
}

/**
 * Disconnects: the vendor is asked to revoke the token (outside any transaction: it is a network
 * call), our copy of the credentials is deleted at once (sealed value emptied, key destroyed),
 * syncs stop, and a job deletes what came only from this connection and writes the purge
 * certificate, which says what the vendor answered.
 */
export async function disconnectIntegration(
  app: AppContext,
  caller: Caller,
  id: string,
  options: { abandonOwedErasures: boolean } = { abandonOwedErasures: false },
) {
  const stored = await asCaller(app, caller, async (tx) => {
    const row = await findIntegration(tx, caller.auth.tenantId, id);
    if (row.status === 'disconnecting' || row.status === 'disconnected') throw conflict('The integration is already disconnected.');
    // Art. 17(2)/19: an erasure owed to this CRM would be lost with the connection.
    const owed = await owedErasures(tx, caller.auth.tenantId, id);
    if (owed > 0 && !options.abandonOwedErasures) {
      throw conflict(
        `${owed} erasure(s) owed to this CRM are not carried out there yet (reconnect so they can be, or disconnect with abandonOwedErasures=true: the certificate then lists them as not carried out).`,
        { owedErasures: owed },
      );
    }
    return { kind: row.kind, credentials: await openCredentials(app, tx, row) };
  });
  const revocation = await revokeAtVendor(stored.kind, stored.credentials);
  return asCaller(app, caller, async (tx, audit) => {
    const row = await findIntegration(tx, caller.auth.tenantId, id);
    if (row.status === 'disconnecting' || row.status === 'disconnected') throw conflict('The integration is already disconnected.');
    const updated = await tx
      .updateTable('integrations')
      .set({
        status: 'disconnecting',
        credentials_enc: null,
        disconnected_at: new Date(),
        next_sync_at: null,
        status_reason: null,
        vendor_revocation: JSON.stringify({ ...revocation, at: new Date().toISOString() }),
      })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await app.keys.destroySubjectKey(tx, caller.auth.tenantId, id);
    await tx
      .updateTable('sync_runs')
      .set({ state: 'failed', error: 'The integration was disconnected.', finished_at: new Date() })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('integration_id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .execute();
    await enqueue(tx, {
      queue: PURGE_QUEUE,
      tenantId: caller.auth.tenantId,
      payload: { integrationId: id },
      singletonKey: `sync-purge:${id}`,
      maxAttempts: 10,
    });
    await audit({
      action: 'integration.disconnect',
      objectType: 'integration',
      objectId: id,
      fields: ['credentials', revocation.revoked ? 'vendor_revoked' : 'vendor_not_revoked'],
    });
    return toView(tx, updated, null);
  });
}

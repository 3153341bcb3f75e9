import { stringify } from 'csv-stringify/sync';
import type { z } from 'zod';
import { safeCell } from '../shared/csv.ts';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import type { auditFilter, auditListQuery } from './schema.ts';
import { chainPendingReads } from './service.ts';

/** Newest first; `before` pages backwards through the chain by sequence number. */
export async function listAuditEvents(app: AppContext, caller: Caller, query: z.infer<typeof auditListQuery>) {
  const rows = await asCaller(app, caller, async (tx) => {
    await chainPendingReads(tx, caller.auth.tenantId);
    let q = tx.selectFrom('audit_events').selectAll().where('tenant_id', '=', caller.auth.tenantId);
    if (query.before) q = q.where('seq', '<', query.before);
    if (query.action) q = q.where('action', '=', query.action);
    if (query.objectType) q = q.where('object_type', '=', query.objectType);
    if (query.objectId) q = q.where('object_id', '=', query.objectId);
    if (query.actorId) q = q.where('actor_id', '=', query.actorId);
    if (query.from) q = q.where('occurred_at', '>=', new Date(query.from));
    if (query.to) q = q.where('occurred_at', '<', new Date(query.to));
    return q
      .orderBy('seq', 'desc')
      .limit(query.limit + 1)
      .execute();
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((row) => ({
      seq: Number(row.seq),
      occurredAt: new Date(row.occurred_at).toISOString(),
      actorType: row.actor_type,
      actorId: row.actor_id,
      action: row.action,
      objectType: row.object_type,
      objectId: row.object_id,
      fields: row.fields,
      ip: row.ip,
      userAgent: row.user_agent,
      requestId: row.request_id,
      hash: row.hash,
    })),
    nextBefore: rows.length > query.limit ? Number(page[page.length - 1]!.seq) : null,
  };
}

const EXPORT_COLUMNS = [
  'seq',
  'occurredAt',
  'actorType',
  'actorId',
  'action',
  'objectType',
  'objectId',
  'fields',
  'ip',
  'userAgent',
  'requestId',
  'hash',
] as const;
const EXPORT_BATCH = 500;

/**
 * The filtered trail as CSV, newest first, read 500 events per transaction so an export of a
 * long history neither holds one long transaction nor the whole file in memory. The export is
 * itself audited (it discloses staff addresses and devices).
 */
export async function auditEventsCsv(
  app: AppContext,
  caller: Caller,
  filter: z.infer<typeof auditFilter>,
): Promise<AsyncGenerator<string>> {
  // Recorded before the first byte is sent, so an export that could not be audited does not start.
  await asCaller(app, caller, (_tx, audit) => audit({ action: 'audit.export', objectType: 'audit_events', fields: Object.keys(filter) }));
  return (async function* () {
    yield stringify([[...EXPORT_COLUMNS]]);
    let before: number | undefined;
    do {
      const page = await listAuditEvents(app, caller, { ...filter, limit: EXPORT_BATCH, before });
      yield stringify(page.items.map((event) => EXPORT_COLUMNS.map((column) => safeCell(event[column]))));
      before = page.nextBefore ?? undefined;
    } while (before !== undefined);
  })();
}

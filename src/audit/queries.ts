import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import type { auditListQuery } from './schema.ts';
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

import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import type { SyncMatchReviewsTable } from '../db/types-sync.ts';
import { conflict, notFound, unprocessable } from '../http/errors.ts';
import { syncWork } from './engine.ts';
import type { reviewListQuery, reviewResolution, reviewView } from './schema.ts';
import { removeSyncedRecords } from './stores.ts';

type ReviewRow = Selectable<SyncMatchReviewsTable>;

function toView(row: ReviewRow): z.infer<typeof reviewView> {
  return {
    id: row.id,
    integrationId: row.integration_id,
    object: row.object,
    externalId: row.external_id,
    recordType: row.record_type,
    recordId: row.record_id,
    candidateIds: row.candidate_ids,
    rule: row.rule,
    explanation: row.explanation,
    createdAt: isoRequired(row.created_at),
    resolvedAt: iso(row.resolved_at),
    resolution: row.resolution,
    mergedInto: row.merged_into,
  };
}

export function listReviews(app: AppContext, caller: Caller, query: z.infer<typeof reviewListQuery>) {
  return asCaller(app, caller, async (tx) => {
    let q = tx.selectFrom('sync_match_reviews').selectAll().where('tenant_id', '=', caller.auth.tenantId);
    if (query.integrationId) q = q.where('integration_id', '=', query.integrationId);
    q = query.status === 'open' ? q.where('resolved_at', 'is', null) : q.where('resolved_at', 'is not', null);
    if (query.cursor) q = q.where('id', '>', Buffer.from(query.cursor, 'base64url').toString('utf8'));
    const rows = await q
      .orderBy('id')
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit);
    return { items: page.map(toView), nextCursor: rows.length > query.limit ? Buffer.from(page.at(-1)!.id).toString('base64url') : null };
  });
}

/**
 * Merging links the external object to the chosen candidate and removes the copy that was kept
 * apart; references to the copy (contacts of an account, deals) move to the candidate. A copy
 * someone has since written notes or tasks on is not removed silently: the merge is refused.
 */
export function resolveReview(app: AppContext, caller: Caller, id: string, input: z.infer<typeof reviewResolution>) {
  return asCaller(app, caller, async (tx, audit) => {
    const tenantId = caller.auth.tenantId;
    const review = await tx
      .selectFrom('sync_match_reviews')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!review) throw notFound('Review');
    if (review.resolved_at) throw conflict('This review was already resolved.');
    if (input.resolution === 'merged') {
      if (!review.candidate_ids.includes(input.mergeInto))
        throw unprocessable('mergeInto must be one of the candidates.', { field: 'mergeInto' });
      const integration = await tx
        .selectFrom('integrations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', review.integration_id)
        .executeTakeFirstOrThrow();
      const type = review.record_type;
      const activity = await tx
        .selectFrom('notes')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('record_type', '=', type)
        .where('record_id', '=', review.record_id)
        .union(
          tx
            .selectFrom('tasks')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('record_type', '=', type)
            .where('record_id', '=', review.record_id),
        )
        .executeTakeFirst();
      if (activity) throw conflict('The separate copy has notes or tasks now; move or delete them before merging.');
      if (type === 'account') {
        for (const table of ['contacts', 'opportunities'] as const) {
          await tx
            .updateTable(table)
            .set({ account_id: input.mergeInto })
            .where('tenant_id', '=', tenantId)
            .where('account_id', '=', review.record_id)
            .execute();
        }
      }
      const others = await tx
        .selectFrom('sync_links')
        .select('external_id')
        .where('tenant_id', '=', tenantId)
        .where('record_type', '=', type)
        .where('record_id', '=', review.record_id)
        .where((eb) => eb.or([eb('integration_id', '!=', review.integration_id), eb('external_id', '!=', review.external_id)]))
        .executeTakeFirst();
      await tx
        .updateTable('sync_links')
        .set({ record_id: input.mergeInto, origin: 'matched', match_rule: 'review', filled_fields: [] })
        .where('tenant_id', '=', tenantId)
        .where('integration_id', '=', review.integration_id)
        .where('object', '=', review.object)
        .where('external_id', '=', review.external_id)
        .execute();
      if (!others) await removeSyncedRecords(syncWork(app, tx, integration), type, [review.record_id]);
    }
    const row = await tx
      .updateTable('sync_match_reviews')
      .set({
        resolved_at: new Date(),
        resolved_by: caller.auth.memberId,
        resolution: input.resolution,
        merged_into: input.resolution === 'merged' ? input.mergeInto : null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({
      action: `sync_review.${input.resolution === 'merged' ? 'merge' : 'keep_separate'}`,
      objectType: review.record_type,
      objectId: review.record_id,
    });
    return toView(row);
  });
}

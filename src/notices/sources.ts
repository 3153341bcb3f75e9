import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import type { NoticeSourcesTable } from '../db/types-notices.ts';
import { notFound } from '../http/errors.ts';
import { isoRequired } from '../shared/dates.ts';
import type { noticeSourceInput, noticeSourceView } from './schema.ts';

/**
 * The sources people's data is obtained from, as notices name them, and the Art. 14(5)
 * exemptions recorded for them with their justification (and, for disproportionate effort, the
 * assessment). The register of processing activities shows them.
 */

type SourceRow = Selectable<NoticeSourcesTable>;

export function sourceToView(row: SourceRow): z.infer<typeof noticeSourceView> {
  return {
    id: row.id,
    sourceType: row.source_type as z.infer<typeof noticeSourceView>['sourceType'],
    sourceRef: row.source_ref,
    label: row.label,
    publiclyAccessible: row.publicly_accessible,
    exemption: row.exemption,
    justification: row.justification,
    assessment: row.assessment,
    recordedBy: row.recorded_by,
    recordedAt: isoRequired(row.recorded_at),
  };
}

export function listNoticeSources(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => {
    const rows = await tx
      .selectFrom('notice_sources')
      .selectAll()
      .where('tenant_id', '=', caller.auth.tenantId)
      .orderBy('source_type')
      .orderBy(sql`coalesce(source_ref, '')`)
      .execute();
    return { items: rows.map(sourceToView) };
  });
}

/** Describes a source, or changes its description or exemption: one entry per source (type and reference). */
export function saveNoticeSource(app: AppContext, caller: Caller, input: z.infer<typeof noticeSourceInput>) {
  const tenantId = caller.auth.tenantId;
  return asCaller(app, caller, async (tx, audit) => {
    const values = {
      label: input.label,
      publicly_accessible: input.publiclyAccessible,
      exemption: input.exemption ?? null,
      justification: input.justification ?? null,
      assessment: input.assessment ?? null,
      recorded_by: caller.auth.memberId,
      recorded_at: new Date(),
    };
    const existing = await tx
      .selectFrom('notice_sources')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('source_type', '=', input.sourceType)
      .where(sql<boolean>`coalesce(source_ref, '') = ${input.sourceRef ?? ''}`)
      .forUpdate()
      .executeTakeFirst();
    const row = existing
      ? await tx
          .updateTable('notice_sources')
          .set(values)
          .where('tenant_id', '=', tenantId)
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await tx
          .insertInto('notice_sources')
          .values({ tenant_id: tenantId, source_type: input.sourceType, source_ref: input.sourceRef ?? null, ...values })
          .returningAll()
          .executeTakeFirstOrThrow();
    await audit({
      action: input.exemption ? 'notice_source.exempt' : 'notice_source.save',
      objectType: 'notice_source',
      objectId: row.id,
      fields: Object.keys(input),
    });
    return sourceToView(row);
  });
}

export function removeNoticeSource(app: AppContext, caller: Caller, id: string) {
  const tenantId = caller.auth.tenantId;
  return asCaller(app, caller, async (tx, audit) => {
    const removed = await tx
      .deleteFrom('notice_sources')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!removed) throw notFound('Notice source');
    await audit({ action: 'notice_source.delete', objectType: 'notice_source', objectId: id });
  });
}

import { sql } from 'kysely';
import type { z } from 'zod';
import type { Tx } from '../db/tenant.ts';
import { iso } from '../shared/dates.ts';
import type { dsrView } from './schema.ts';

type Recipient = z.infer<typeof dsrView>['recipients'][number];

const withIntegration = <T extends { integration_id: string; label: string; kind: string }>(row: T) => ({
  integrationId: row.integration_id,
  label: row.label,
  kind: row.kind,
});

/** What each connected CRM was asked to erase for the request, and what it answered (src/sync/erasure.ts). */
async function erasures(tx: Tx, tenantId: string, requestId: string): Promise<Recipient[]> {
  const done = await tx
    .selectFrom('sync_erasure_receipts as r')
    .innerJoin('integrations as i', (join) => join.onRef('i.tenant_id', '=', 'r.tenant_id').onRef('i.id', '=', 'r.integration_id'))
    .select([
      'r.integration_id',
      'i.label',
      'i.kind',
      'r.object',
      'r.permanent',
      'r.note',
      sql<number>`count(*)::int`.as('count'),
      sql<Date>`max(r.done_at)`.as('at'),
    ])
    .where('r.tenant_id', '=', tenantId)
    .where('r.request_id', '=', requestId)
    .groupBy(['r.integration_id', 'i.label', 'i.kind', 'r.object', 'r.permanent', 'r.note'])
    .execute();
  const owed = await tx
    .selectFrom('sync_erasures as e')
    .innerJoin('integrations as i', (join) => join.onRef('i.tenant_id', '=', 'e.tenant_id').onRef('i.id', '=', 'e.integration_id'))
    .select([
      'e.integration_id',
      'i.label',
      'i.kind',
      'e.object',
      sql<number>`count(*)::int`.as('count'),
      sql<string | null>`max(e.last_error)`.as('last_error'),
    ])
    .where('e.tenant_id', '=', tenantId)
    .where('e.request_id', '=', requestId)
    .groupBy(['e.integration_id', 'i.label', 'i.kind', 'e.object'])
    .execute();
  return [
    ...done.map((r) => ({
      ...withIntegration(r),
      operation: 'erasure' as const,
      object: r.object,
      state: 'done' as const,
      count: r.count,
      permanent: r.permanent,
      note: r.note,
      at: iso(r.at),
    })),
    ...owed.map((r) => ({
      ...withIntegration(r),
      operation: 'erasure' as const,
      object: r.object,
      state: 'owed' as const,
      count: r.count,
      permanent: null,
      note: r.last_error ? `not done yet: ${r.last_error}` : 'queued',
      at: null,
    })),
  ];
}

/** The rectifications and objections carried to each connected CRM for the request (src/sync/rights.ts). */
async function rectificationsAndObjections(tx: Tx, tenantId: string, requestId: string): Promise<Recipient[]> {
  const done = await tx
    .selectFrom('sync_rights_receipts as r')
    .innerJoin('integrations as i', (join) => join.onRef('i.tenant_id', '=', 'r.tenant_id').onRef('i.id', '=', 'r.integration_id'))
    .select([
      'r.integration_id',
      'i.label',
      'i.kind',
      'r.operation',
      'r.object',
      'r.answer',
      sql<number>`count(*)::int`.as('count'),
      sql<Date>`max(r.done_at)`.as('at'),
    ])
    .where('r.tenant_id', '=', tenantId)
    .where('r.request_id', '=', requestId)
    .groupBy(['r.integration_id', 'i.label', 'i.kind', 'r.operation', 'r.object', 'r.answer'])
    .execute();
  // An owed operation names our record, not yet the object there: it is shown by the record's type.
  const owed = await tx
    .selectFrom('sync_rights_owed as o')
    .innerJoin('integrations as i', (join) => join.onRef('i.tenant_id', '=', 'o.tenant_id').onRef('i.id', '=', 'o.integration_id'))
    .select([
      'o.integration_id',
      'i.label',
      'i.kind',
      'o.operation',
      'o.record_type',
      sql<number>`count(*)::int`.as('count'),
      sql<string | null>`max(o.last_error)`.as('last_error'),
    ])
    .where('o.tenant_id', '=', tenantId)
    .where('o.request_id', '=', requestId)
    .groupBy(['o.integration_id', 'i.label', 'i.kind', 'o.operation', 'o.record_type'])
    .execute();
  return [
    ...done.map((r) => ({
      ...withIntegration(r),
      operation: r.operation,
      object: r.object,
      state: 'done' as const,
      count: r.count,
      permanent: null,
      note: r.answer,
      at: iso(r.at),
    })),
    ...owed.map((r) => ({
      ...withIntegration(r),
      operation: r.operation,
      object: r.record_type,
      state: 'owed' as const,
      count: r.count,
      permanent: null,
      note: r.last_error ? `not done yet: ${r.last_error}` : 'queued',
      at: null,
    })),
  ];
}

/** Art. 19: every connected CRM the request's erasure, rectification or objection was carried to, with its answer or that it is owed. */
export async function recipientsOf(tx: Tx, tenantId: string, requestId: string): Promise<Recipient[]> {
  return [...(await erasures(tx, tenantId, requestId)), ...(await rectificationsAndObjections(tx, tenantId, requestId))];
}

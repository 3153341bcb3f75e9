import type { Tx } from '../db/tenant.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { sourceNamer } from './facts.ts';

/**
 * The notices of these people (their records), for their access report and the privacy portal:
 * each source their data came from, and whether and how they were told about it.
 */
export async function noticesOf(tx: Tx, tenantId: string, personIds: string[]) {
  if (personIds.length === 0) return [];
  const rows = await tx
    .selectFrom('art14_notices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('person_id', 'in', personIds)
    .orderBy('obtained_at')
    .execute();
  const nameSource = await sourceNamer(tx, tenantId);
  return rows.map((row) => {
    const { source, label } = nameSource(row.source_type, row.source_ref);
    return {
      source: label,
      obtainedAt: isoRequired(row.obtained_at),
      state: row.sent_at ? ('sent' as const) : source?.exemption ? ('exempt' as const) : ('owed' as const),
      sentAt: iso(row.sent_at),
      sentVia: row.sent_via,
    };
  });
}

import { sql, type Selectable } from 'kysely';
import type { CrmWork } from '../crm/context.ts';
import { recordVisible } from '../crm/visibility.ts';
import { evaluateGate, type Verdict } from '../consent/gate.ts';
import type { PersonRef } from '../crm/people.ts';
import { TABLE_OF_PERSON } from '../crm/people.ts';
import type { CampaignsTable } from '../db/types-campaigns.ts';
import { findSegment, segmentMembers } from './segments.ts';

type CampaignRow = Selectable<CampaignsTable>;

/** The members of `people` the caller may see. */
export async function visibleOnly(work: CrmWork, people: PersonRef[]): Promise<PersonRef[]> {
  const out: PersonRef[] = [];
  for (const type of ['contact', 'lead'] as const) {
    const ids = people.filter((person) => person.type === type).map((person) => person.id);
    const table = TABLE_OF_PERSON[type];
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await work.tx
        .selectFrom(table)
        .select(`${table}.id` as 'id')
        .where(`${table}.tenant_id` as 'tenant_id', '=', work.tenantId)
        .where(`${table}.id` as 'id', 'in', ids.slice(i, i + 1000))
        .where(recordVisible(work.scope, table, type))
        .execute();
      for (const row of rows) out.push({ type, id: row.id });
    }
  }
  return out;
}

/**
 * Re-permission targets: people whose consent for the purpose lapsed or was never confirmed, or
 * was granted more than inactiveMonths ago with nothing newer. People who said no (withdrew,
 * objected) are never asked again. Whether each may be e-mailed at all is the gate's answer: an
 * e-mail asking for consent is itself direct marketing (ICO monetary penalty notices to Flybe Ltd
 * and Honda Motor Europe Ltd, 2017), so under an opt-in law only people whose consent is still
 * valid are asked to renew it, and an address whose double opt-in is pending is never mailed.
 */
async function repermissionTargets(work: CrmWork, campaign: CampaignRow): Promise<PersonRef[]> {
  const rows = await work.tx
    .selectFrom('consent_states')
    .select(['person_id', 'person_type'])
    .where('tenant_id', '=', work.tenantId)
    .where('purpose_id', '=', campaign.purpose_id)
    .where((eb) =>
      eb.or([
        eb('state', 'in', ['expired', 'pending']),
        eb.and([eb('state', '=', 'granted'), eb('since', '<', sql<Date>`now() - make_interval(months => ${campaign.inactive_months!})`)]),
      ]),
    )
    .execute();
  return visibleOnly(
    work,
    rows.map((row) => ({ type: row.person_type, id: row.person_id })),
  );
}

/** Who a send would reach and who the gate refuses, by reason, decided now. */
export async function audience(
  work: CrmWork,
  campaign: CampaignRow,
): Promise<{ people: PersonRef[]; allowed: PersonRef[]; verdicts: Map<string, Verdict> }> {
  const people =
    campaign.kind === 'campaign'
      ? await segmentMembers(work, await findSegment(work, campaign.segment_id!))
      : await repermissionTargets(work, campaign);
  const verdicts = await evaluateGate(work.tx, work.tenantId, { id: campaign.purpose_id }, people, { path: campaign.kind });
  return { people, allowed: people.filter((person) => verdicts.get(person.id)!.allowed), verdicts };
}

export function countRefusals(verdicts: Map<string, Verdict>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const verdict of verdicts.values()) if (!verdict.allowed) counts[verdict.reason] = (counts[verdict.reason] ?? 0) + 1;
  return counts;
}

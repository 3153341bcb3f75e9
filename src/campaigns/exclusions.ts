import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import { iso } from '../shared/dates.ts';
import type { PersonRef } from '../crm/people.ts';
import { loadPeople } from '../crm/people.ts';
import type { PersonType } from '../db/types-consent.ts';
import { decodeCursor, encodeCursor } from '../http/pagination.ts';
import { audience, visibleOnly } from './audience.ts';
import { findCampaign } from './campaigns.ts';
import type { exclusionQuery, exclusionView } from './schema.ts';

type Exclusion = { person: PersonRef; reason: string; refusedAt: string | null };

/** Which of these ids are contacts and which leads (a refusal records the id only). */
async function typed(work: CrmWork, ids: string[]): Promise<Map<string, PersonType>> {
  const out = new Map<string, PersonType>();
  if (ids.length === 0) return out;
  for (const row of await work.tx
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', work.tenantId)
    .where('id', 'in', ids)
    .execute())
    out.set(row.id, 'contact');
  for (const row of await work.tx.selectFrom('leads').select('id').where('tenant_id', '=', work.tenantId).where('id', 'in', ids).execute())
    out.set(row.id, 'lead');
  return out;
}

/**
 * The people a campaign leaves out, with the gate's reason: for a draft, as a send would decide
 * now; once started, as recorded (at the start and during the send). Only people the caller may
 * see are named; the read is audited like any list of people.
 */
export function listExclusions(app: AppContext, caller: Caller, campaignId: string, query: z.infer<typeof exclusionQuery>) {
  return crmWork(app, caller, async (work) => {
    const campaign = await findCampaign(work.tx, work.tenantId, campaignId);
    const after = decodeCursor(query.cursor, 1)?.[0] as string | undefined;
    let page: Exclusion[];
    let more: boolean;
    if (campaign.status === 'draft') {
      const { people, verdicts } = await audience(work, campaign);
      const refused = people
        .map((person) => ({ person, verdict: verdicts.get(person.id)! }))
        .filter(({ verdict }) => !verdict.allowed && (!query.reason || verdict.reason === query.reason))
        .filter(({ person }) => !after || person.id > after)
        .sort((a, b) => (a.person.id < b.person.id ? -1 : 1));
      more = refused.length > query.limit;
      page = refused
        .slice(0, query.limit)
        .map(({ person, verdict }) => ({ person, reason: verdict.allowed ? '' : verdict.reason, refusedAt: null }));
    } else {
      let q = work.tx
        .selectFrom('processing_refusals')
        .select(['person_id', 'reason', 'occurred_at'])
        .where('tenant_id', '=', work.tenantId)
        .where('path', 'in', ['campaign', 'repermission'])
        .where('ref', '=', campaign.id);
      if (query.reason) q = q.where('reason', '=', query.reason);
      if (after) q = q.where('person_id', '>', after);
      const rows = await q
        .orderBy('person_id')
        .limit(query.limit + 1)
        .execute();
      more = rows.length > query.limit;
      const types = await typed(
        work,
        rows.map((row) => row.person_id),
      );
      page = rows
        .slice(0, query.limit)
        .filter((row) => types.has(row.person_id))
        .map((row) => ({
          person: { type: types.get(row.person_id)!, id: row.person_id },
          reason: row.reason,
          refusedAt: iso(row.occurred_at),
        }));
    }
    const visible = new Set(
      (
        await visibleOnly(
          work,
          page.map((item) => item.person),
        )
      ).map((person) => person.id),
    );
    const names = await loadPeople(
      app,
      work.tx,
      work.tenantId,
      page.filter((item) => visible.has(item.person.id)).map((item) => item.person),
    );
    await work.auditRead({
      action: 'campaign.exclusions',
      objectType: 'campaign',
      objectId: campaign.id,
      fields: query.reason ? ['reason'] : [],
    });
    const items: Array<z.infer<typeof exclusionView>> = page
      .filter((item) => visible.has(item.person.id))
      .map((item) => {
        const details = names.get(item.person.id);
        const name = [details?.firstName, details?.lastName].filter(Boolean).join(' ') || null;
        return { person: { ...item.person, name, email: details?.emails[0] ?? null }, reason: item.reason, refusedAt: item.refusedAt };
      });
    return { items, nextCursor: more && page.length > 0 ? encodeCursor([page[page.length - 1]!.person.id]) : null };
  });
}

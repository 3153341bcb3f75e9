import { sql, type Expression, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import { ownersNamed } from '../crm/list-filters.ts';
import { recordVisible } from '../crm/visibility.ts';
import type { OpportunityStage } from '../db/types.ts';
import { badRequest } from '../http/errors.ts';
import type { salesDashboardQuery, salesDashboardView } from './schema.ts';

type Dashboard = z.infer<typeof salesDashboardView>;
type Query = z.infer<typeof salesDashboardQuery>;

const DAY = 86_400_000;
const day = (date: Date) => date.toISOString().slice(0, 10);

/** The period asked for, as days and as instants: [start, end) with end the day after `to`. */
function periodOf(query: Query) {
  const today = new Date();
  const to = query.to ?? day(today);
  const from = query.from ?? day(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 11, 1)));
  if (from > to) throw badRequest('from must be on or before to.', { field: 'from' });
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(Date.parse(`${to}T00:00:00Z`) + DAY);
  if (end.getTime() - start.getTime() > 5 * 366 * DAY) throw badRequest('A period is at most five years.', { field: 'from' });
  return { from, to, start, end };
}

/** Every month the period touches, as YYYY-MM, so a month without deals shows as a zero. */
function monthsOf(start: Date, end: Date): string[] {
  const months: string[] = [];
  for (let at = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)); at < end; at.setUTCMonth(at.getUTCMonth() + 1)) {
    months.push(at.toISOString().slice(0, 7));
  }
  return months;
}

/** Records owned by these members, when the dashboard is filtered by owner. */
const ownedBy = (table: 'opportunities' | 'leads', owners: string[] | undefined): Expression<SqlBool> =>
  owners ? sql<SqlBool>`${sql.ref(`${table}.owner_id`)} = any(${owners}::uuid[])` : sql<SqlBool>`true`;

/**
 * Whose activity the caller may count: their scope's members (all of them for those who see
 * everything), narrowed to the owner filter. Counts only: no note's text is read.
 */
function activityOf(work: CrmWork, column: string, owners: string[] | undefined): Expression<SqlBool> {
  const scope = work.scope;
  const allowed = scope.kind === 'all' ? null : scope.kind === 'team' ? [...scope.memberIds, scope.self] : [scope.self];
  const members = allowed && owners ? owners.filter((id) => allowed.includes(id)) : (owners ?? allowed);
  return members ? sql<SqlBool>`${sql.ref(column)} = any(${members}::uuid[])` : sql<SqlBool>`true`;
}

async function pipeline(work: CrmWork, owners: string[] | undefined, period: ReturnType<typeof periodOf>) {
  const rows = await work.tx
    .selectFrom('opportunities')
    .select(['stage', 'currency', sql<number>`count(*)::int`.as('count'), sql<string>`sum(amount)::text`.as('amount')])
    .where('tenant_id', '=', work.tenantId)
    .where('stage', 'not in', ['closed_won', 'closed_lost'])
    .where('created_at', '>=', period.start)
    .where('created_at', '<', period.end)
    .where(recordVisible(work.scope, 'opportunities', 'opportunity'))
    .where(ownedBy('opportunities', owners))
    .groupBy(['stage', 'currency'])
    .orderBy('stage')
    .orderBy('currency')
    .execute();
  return rows.map((row) => ({ stage: row.stage as OpportunityStage, currency: row.currency, count: row.count, amount: row.amount }));
}

async function closedByMonth(work: CrmWork, owners: string[] | undefined, period: ReturnType<typeof periodOf>) {
  const rows = await work.tx
    .selectFrom('opportunities')
    .select([
      sql<string>`to_char(closed_at at time zone 'UTC', 'YYYY-MM')`.as('month'),
      'currency',
      sql<number>`(count(*) filter (where stage = 'closed_won'))::int`.as('won'),
      sql<number>`(count(*) filter (where stage = 'closed_lost'))::int`.as('lost'),
      sql<string>`(coalesce(sum(amount) filter (where stage = 'closed_won'), 0))::text`.as('won_amount'),
    ])
    .where('tenant_id', '=', work.tenantId)
    .where('stage', 'in', ['closed_won', 'closed_lost'])
    .where('closed_at', '>=', period.start)
    .where('closed_at', '<', period.end)
    .where(recordVisible(work.scope, 'opportunities', 'opportunity'))
    .where(ownedBy('opportunities', owners))
    .groupBy([sql`1`, 'currency'])
    .execute();
  return monthsOf(period.start, period.end).map((month) => {
    const of = rows.filter((row) => row.month === month);
    return {
      month,
      won: of.reduce((sum, row) => sum + row.won, 0),
      lost: of.reduce((sum, row) => sum + row.lost, 0),
      wonAmounts: of
        .filter((row) => row.won > 0)
        .map((row) => ({ currency: row.currency, amount: row.won_amount }))
        .sort((a, b) => a.currency.localeCompare(b.currency)),
    };
  });
}

async function activities(work: CrmWork, owners: string[] | undefined, period: ReturnType<typeof periodOf>) {
  const logged = await work.tx
    .selectFrom('notes')
    .select([
      'author_id as member_id',
      sql<number>`(count(*) filter (where kind = 'call'))::int`.as('calls'),
      sql<number>`(count(*) filter (where kind = 'email'))::int`.as('emails'),
      sql<number>`(count(*) filter (where kind = 'meeting'))::int`.as('meetings'),
      sql<number>`(count(*) filter (where kind = 'note'))::int`.as('notes'),
    ])
    .where('tenant_id', '=', work.tenantId)
    .where('occurred_at', '>=', period.start)
    .where('occurred_at', '<', period.end)
    .where(activityOf(work, 'notes.author_id', owners))
    .groupBy('author_id')
    .execute();
  const done = await work.tx
    .selectFrom('tasks')
    .select(['assignee_id as member_id', sql<number>`count(*)::int`.as('done')])
    .where('tenant_id', '=', work.tenantId)
    .where('done_at', '>=', period.start)
    .where('done_at', '<', period.end)
    .where(activityOf(work, 'tasks.assignee_id', owners))
    .groupBy('assignee_id')
    .execute();
  const members = [...new Set([...logged.map((row) => row.member_id), ...done.map((row) => row.member_id)])].sort();
  return members.map((memberId) => {
    const notes = logged.find((row) => row.member_id === memberId);
    return {
      memberId,
      calls: notes?.calls ?? 0,
      emails: notes?.emails ?? 0,
      meetings: notes?.meetings ?? 0,
      notes: notes?.notes ?? 0,
      tasksDone: done.find((row) => row.member_id === memberId)?.done ?? 0,
    };
  });
}

async function conversion(work: CrmWork, owners: string[] | undefined, period: ReturnType<typeof periodOf>) {
  const wonDeal = sql<SqlBool>`exists (select 1 from opportunities o where o.tenant_id = leads.tenant_id and o.stage = 'closed_won'
    and (o.id = leads.converted_opportunity_id or exists (select 1 from opportunity_contacts oc
      where oc.tenant_id = o.tenant_id and oc.opportunity_id = o.id and oc.contact_id = leads.converted_contact_id)))`;
  return work.tx
    .selectFrom('leads')
    .select([
      sql<number>`count(*)::int`.as('leads'),
      sql<number>`(count(*) filter (where converted_at is not null))::int`.as('converted'),
      sql<number>`(count(*) filter (where converted_at is not null and ${wonDeal}))::int`.as('won'),
    ])
    .where('tenant_id', '=', work.tenantId)
    .where('created_at', '>=', period.start)
    .where('created_at', '<', period.end)
    .where(recordVisible(work.scope, 'leads', 'lead'))
    .where(ownedBy('leads', owners))
    .executeTakeFirstOrThrow();
}

/**
 * The sales dashboard: the open pipeline, deals won and lost by month, activity by member and the
 * conversion of leads, over what the caller may see, for a period and optionally an owner.
 */
export function salesDashboard(app: AppContext, caller: Caller, query: Query): Promise<Dashboard> {
  return crmWork(app, caller, async (work) => {
    const period = periodOf(query);
    const owners = await ownersNamed(work, query.ownerId);
    return {
      period: { from: period.from, to: period.to },
      pipeline: await pipeline(work, owners, period),
      months: await closedByMonth(work, owners, period),
      activities: await activities(work, owners, period),
      conversion: await conversion(work, owners, period),
    };
  });
}
